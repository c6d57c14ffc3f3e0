using System.Text;
using System.Text.Json;
using System.Xml;
using Microsoft.Extensions.Configuration;
using SecretStore.Diagnostics;
using SecretStore.Formats;
using SecretStore.Keys.Rsa;
using SecretStore.Repositories.File;
using SecretStore.Testing.Repositories;
using SecretStore.Resolution;
using SecretStore.Resolution.Formats;
using SecretStore.Resolution.Text;
using SecretStore.Secrets;
using SecretStore.Stores;

namespace SecretStore.Fuzz.Targets;

/// <summary>
/// The fuzz targets: each takes arbitrary bytes to one engine parser through its public entry point. The
/// engine's contract is that bad input ends in a <see cref="SecretStoreException"/> (a coded error) or in
/// diagnostics; any other exception escaping a target is a bug. The same code runs under AFL (SharpFuzz) and in
/// the xunit replay of the kept corpus (tests/SecretStore.Tests/FuzzCorpus/&lt;target&gt;/).
/// </summary>
public sealed class FuzzTargets : IDisposable
{
    /// <summary>The names of the targets, as used for corpus folders and on the command line.</summary>
    public static readonly IReadOnlyList<string> Names = ["v1", "v2", "v3", "store", "keyring", "keytext", "placeholders", "json", "xml", "ini", "properties", "env", "yaml"];

    private static readonly byte[] V1Key = [.. Enumerable.Range(1, V1Cipher.KeySizeInBytes).Select(i => (byte)i)];
    private readonly string _work = Directory.CreateTempSubdirectory("ssb-fuzz-").FullName;
    private readonly Lazy<Task<EnvelopeSecretStore>> _store;
    private readonly Lazy<RsaKeyring> _importKeyring;

    /// <summary>Creates the targets; the resolver's store (an RSA keyring and a few secrets) and the import keyring are made on first use.</summary>
    public FuzzTargets()
    {
        _store = new(CreateStoreAsync);
        _importKeyring = new(() => RsaKeyring.CreateEmpty(Path.Combine(_work, "import-keyring"), RsaKeyring.MinimumKeySizeInBits));
    }

    /// <summary>Runs one target over one input. Coded errors are expected outcomes and are swallowed.</summary>
    public async Task RunAsync(string target, byte[] input)
    {
        ArgumentNullException.ThrowIfNull(input);
        try
        {
            switch (target)
            {
                case "v1":
                    V1(input);
                    break;
                case "v2":
                    V2Envelope.Parse(input, "fuzz");
                    break;
                case "v3":
                    V3Envelope.Parse(input, "fuzz");
                    break;
                case "store":
                    await StoreFileAsync(input).ConfigureAwait(false);
                    break;
                case "keyring":
                    Keyring(input);
                    break;
                case "keytext":
                    KeyText(input);
                    break;
                case "placeholders":
                    await ResolveAsync(input, "appsettings.txt").ConfigureAwait(false);
                    break;
                case "json":
                    await ResolveAsync(input, "appsettings.json").ConfigureAwait(false);
                    break;
                case "xml":
                    await ResolveAsync(input, "web.config").ConfigureAwait(false);
                    break;
                case "ini":
                    await ResolveAsync(input, "settings.ini").ConfigureAwait(false);
                    break;
                case "properties":
                    await ResolveAsync(input, "application.properties").ConfigureAwait(false);
                    break;
                case "env":
                    await ResolveAsync(input, ".env").ConfigureAwait(false);
                    break;
                case "yaml":
                    await ResolveAsync(input, "values.yaml").ConfigureAwait(false);
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(target), target, "Unknown fuzz target.");
            }
        }
        catch (SecretStoreException)
        {
            // A coded error: the contract for bad input.
        }
    }

    /// <summary>Deletes the work folder.</summary>
    public void Dispose()
    {
        if (_store.IsValueCreated && _store.Value.IsCompletedSuccessfully)
        {
            _store.Value.Result.Dispose();
        }

        if (_importKeyring.IsValueCreated)
        {
            _importKeyring.Value.Dispose();
        }

        try
        {
            Directory.Delete(_work, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static void V1(byte[] input)
    {
        // The record layout first; then the cipher on the same bytes (IV = first 16, ciphertext = the rest).
        try
        {
            RsaV1ProtectedKey.Parse(input, "fuzz");
        }
        catch (SecretStoreException)
        {
        }

        var iv = input.AsSpan(0, Math.Min(input.Length, V1Cipher.IvSizeInBytes));
        var body = input.AsSpan(iv.Length);
        V1Cipher.Decrypt(V1Key, iv, body, "fuzz");
    }

    private async Task StoreFileAsync(byte[] input)
    {
        var path = Path.Combine(_work, "secrets.json");
        await File.WriteAllBytesAsync(path, input).ConfigureAwait(false);
        var repository = new FileSecretRepository(path);
        await repository.QueryByApplicationAsync("App").ConfigureAwait(false);
        await repository.GetManyAsync([new SecretId("App", "Db"), new SecretId("Other", "x")]).ConfigureAwait(false);
    }

    private void Keyring(byte[] input)
    {
        var folder = Path.Combine(_work, "keyring");
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(Path.Combine(folder, "keyring.json"), input);
        using var keyring = RsaKeyring.Load(folder);
    }

    /// <summary>
    /// Key text from outside: <c>keys add</c> (PEM or &lt;RSAKeyValue&gt; XML, as an encryption key and as the signing
    /// key) and the reader secret of the private key variable (a <c>SECRETSTORE READER KEY</c> PEM).
    /// </summary>
    private void KeyText(byte[] input)
    {
        var text = Encoding.UTF8.GetString(input);
        if (text.Length == 0)
        {
            return;
        }

        var keyring = _importKeyring.Value;
        try
        {
            keyring.ImportKey("fuzz-" + Guid.NewGuid().ToString("N"), text, allowSmallKey: true);
        }
        catch (SecretStoreException)
        {
        }

        try
        {
            using var reader = RsaKeyring.Load(keyring.Directory, new RsaKeyringLoadOptions { PrivateKeyPem = text });
        }
        catch (SecretStoreException)
        {
        }

        // Last, since a valid key replaces the signing key (and re-anchors the keys imported above).
        keyring.ImportSigningKey(text);
    }

    private async Task ResolveAsync(byte[] input, string fileName)
    {
        var store = await _store.Value.ConfigureAwait(false);
        var path = Path.Combine(_work, fileName);
        await File.WriteAllBytesAsync(path, input).ConfigureAwait(false);
        var result = await new SecretResolver(store).ResolveAsync(new ResolveRequest { Files = [path], DefaultApplication = "App" }).ConfigureAwait(false);
        if (result.Succeeded && result.FilesWritten > 0)
        {
            // A successful rewrite must still be a file of the same kind, read back here independently of the
            // engine: strict text in the encoding it was read in, and a document under the parser settings the
            // engine accepted the input with. Not a SecretStoreException: the replay and AFL must see it as a bug.
            var file = result.Report.Files[0];
            var problem = ReadBackProblem(await File.ReadAllBytesAsync(path).ConfigureAwait(false), file.Format, file.Encoding);
            if (problem is not null)
            {
                throw new InvalidOperationException($"The rewritten {fileName} ({file.Format}, {file.Encoding}) does not read back: {problem}");
            }
        }
    }

    /// <summary>Why the rewritten bytes are not a readable file of the given format and encoding, or null.</summary>
    private static string? ReadBackProblem(byte[] bytes, FileFormat? format, TextEncodingKind? encoding)
    {
        var (bom, text) = encoding switch
        {
            TextEncodingKind.Utf8Bom => ((byte[])[0xEF, 0xBB, 0xBF], (Encoding)new UTF8Encoding(false, true)),
            TextEncodingKind.Utf16LittleEndian => ([0xFF, 0xFE], new UnicodeEncoding(false, false, true)),
            TextEncodingKind.Utf16BigEndian => ([0xFE, 0xFF], new UnicodeEncoding(true, false, true)),
            _ => ([], new UTF8Encoding(false, true)),
        };
        if (!bytes.AsSpan().StartsWith(bom))
        {
            return "the byte order mark was lost";
        }

        string decoded;
        try
        {
            decoded = text.GetString(bytes, bom.Length, bytes.Length - bom.Length);
        }
        catch (DecoderFallbackException)
        {
            return $"not valid {encoding} text";
        }

        try
        {
            switch (format)
            {
                case FileFormat.Json:
                    using (JsonDocument.Parse(decoded, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, MaxDepth = 256 }))
                    {
                    }

                    break;
                case FileFormat.Xml:
                    using (var reader = XmlReader.Create(new StringReader(decoded), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, CheckCharacters = true }))
                    {
                        while (reader.Read())
                        {
                        }
                    }

                    break;
                case FileFormat.Ini:
                    // The reader every .NET host applies to an INI file, run here apart from the engine's own use of it.
                    _ = new ConfigurationBuilder()
                        .AddIniStream(new MemoryStream(Encoding.UTF8.GetBytes(decoded)))
                        .Build();
                    break;
                case FileFormat.Properties when PropertiesLayout.Scan(decoded).FirstMalformedLine != 0:
                    return "a \\uXXXX escape is malformed";
                case FileFormat.DotEnv when DotEnvLayout.Scan(decoded).FirstInvalidLine is var line and not 0:
                    return $"line {line} is not KEY=value";
                case FileFormat.Yaml:
                    // YamlDotNet's representation model, apart from the engine's event-level reading.
                    new YamlDotNet.RepresentationModel.YamlStream().Load(new StringReader(decoded));
                    break;
            }
        }
        catch (Exception ex) when (ex is JsonException or XmlException or FormatException or InvalidDataException or YamlDotNet.Core.YamlException)
        {
            return $"not a valid {format} document ({ex.GetType().Name})";
        }

        return null;
    }

    private async Task<EnvelopeSecretStore> CreateStoreAsync()
    {
        var keyringFolder = Path.Combine(_work, "store-keyring");
        RsaKeyring.Create(keyringFolder, "fuzz-key").Dispose();
        var keyring = RsaKeyring.Load(keyringFolder);
        var store = new EnvelopeSecretStore(new InMemorySecretRepository(), new RsaKeyManager(keyring), new EnvelopeSecretStoreOptions { DefaultKeyId = "fuzz-key" });
        // Values that need escaping in every file format the rewriters handle.
        await store.SetAsync(new SecretId("App", "Db"), "Server=db;Password=\"p<&>'\\\n]]>--\u0000é").ConfigureAwait(false);
        await store.SetAsync(new SecretId("App", "Plain"), "plain-value").ConfigureAwait(false);
        await store.SetAsync(new SecretId("Other", "a/b}c|d"), "line1\r\nline2\t\u2028").ConfigureAwait(false);
        return store;
    }
}
