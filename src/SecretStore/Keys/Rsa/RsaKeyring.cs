using System.Security.Cryptography;
using SecretStore.Diagnostics;

namespace SecretStore.Keys.Rsa;

/// <summary>
/// The offline key manager's keys: a folder with <c>keyring.json</c> mapping key ids (any UTF-8 text, for
/// example <c>alias/acme-alpha</c>) to PEM files (PKCS#8 private or SPKI public; PKCS#1 is accepted on read),
/// plus one signing key pair used by v1 and v2 RSA records. Reading secrets needs the private encryption key
/// and the signing public key; writing needs the public encryption key and the signing private key.
/// PEM files are parsed once, at load. Adding keys is not thread-safe; use one writer at a time.
/// </summary>
public sealed class RsaKeyring : IDisposable
{
    /// <summary>The keyring's index file name.</summary>
    public const string IndexFileName = "keyring.json";

    /// <summary>The smallest key size accepted for new keys.</summary>
    public const int MinimumKeySizeInBits = 2048;

    /// <summary>The default size of new keys.</summary>
    public const int DefaultKeySizeInBits = 3072;

    private const string SigningPublicFile = "signing.public.pem";
    private const string SigningPrivateFile = "signing.private.pem";

    private readonly Dictionary<string, RsaKeyPair> _keys;
    private RsaKeyPair _signingKey;
    private RsaEnvelopeSigner _signer;
    private bool _disposed;

    private RsaKeyring(string directory, Dictionary<string, RsaKeyPair> keys, RsaKeyPair signingKey, string? defaultKeyId)
    {
        Directory = directory;
        _keys = keys;
        _signingKey = signingKey;
        DefaultKeyId = defaultKeyId;
        _signer = new RsaEnvelopeSigner(signingKey, directory);
    }

    /// <summary>The keyring folder (full path).</summary>
    public string Directory { get; }

    /// <summary>The key id used for writes when none is given, or null.</summary>
    public string? DefaultKeyId { get; private set; }

    /// <summary>The key ids in the keyring, sorted (ordinal).</summary>
    public IReadOnlyList<string> KeyIds => [.. _keys.Keys.Order(StringComparer.Ordinal)];

    /// <summary>The signer of v2 envelopes (RSA-PSS, SHA-256, with the signing key).</summary>
    public IEnvelopeSigner Signer => _signer;

    /// <summary>True when the signing private key is available (writes are possible).</summary>
    public bool CanSign => _signingKey.PrivateKey is not null;

    internal RsaEnvelopeSigner SigningKey => _signer;

    /// <summary>
    /// Loads a keyring folder. Throws <see cref="SecretStoreException"/> with <c>SSB3007</c> when
    /// <c>keyring.json</c> is missing or invalid, a PEM does not parse, or a path leaves the folder; and
    /// <c>SSB3008</c> when a named environment variable is empty.
    /// </summary>
    public static RsaKeyring Load(string directory, RsaKeyringLoadOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        options ??= new RsaKeyringLoadOptions();
        var root = Path.GetFullPath(directory);
        var index = KeyringIndex.Read(root);
        var keys = new Dictionary<string, RsaKeyPair>(StringComparer.Ordinal);
        RsaKeyPair? signing = null;
        try
        {
            foreach (var entry in index.Keys)
            {
                keys.Add(entry.Key, LoadPair(root, entry.Value, $"key '{entry.Key}'"));
            }

            signing = LoadPair(root, index.SigningKey, "the signing key");
            var keyring = new RsaKeyring(root, keys, signing, index.DefaultKeyId);
            keyring.ApplyOptions(options);
            return keyring;
        }
        catch
        {
            foreach (var pair in keys.Values)
            {
                pair.Dispose();
            }

            signing?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Creates a new keyring folder with one encryption key (<paramref name="keyId"/>, made the default) and a
    /// signing key, both of <paramref name="keySizeInBits"/>. Private keys are written owner-only (mode 600).
    /// Throws <c>SSB3005</c> under 2048 bits and <c>SSB3007</c> when the folder already holds a keyring.
    /// </summary>
    public static RsaKeyring Create(string directory, string keyId, int keySizeInBits = DefaultKeySizeInBits)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentException.ThrowIfNullOrEmpty(keyId);
        RequireNewKeySize(keySizeInBits, keyId);
        var keyring = CreateEmpty(directory, keySizeInBits);
        try
        {
            keyring.AddKey(keyId, keySizeInBits, makeDefault: true);
            return keyring;
        }
        catch
        {
            keyring.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Creates a new keyring folder with a signing key of <paramref name="keySizeInBits"/> and no encryption
    /// key yet, for importing existing keys (<see cref="ImportKey"/>). Throws <c>SSB3005</c> under 2048 bits and
    /// <c>SSB3007</c> when the folder already holds a keyring.
    /// </summary>
    public static RsaKeyring CreateEmpty(string directory, int keySizeInBits = DefaultKeySizeInBits)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        RequireNewKeySize(keySizeInBits, "signing key");
        var root = Path.GetFullPath(directory);
        if (File.Exists(Path.Combine(root, IndexFileName)))
        {
            throw new SecretStoreException(DiagnosticCodes.InvalidKeyring, $"A keyring already exists in '{root}'.");
        }

        System.IO.Directory.CreateDirectory(root);
        using (var signing = RSA.Create(keySizeInBits))
        {
            KeyFiles.WritePrivate(Path.Combine(root, SigningPrivateFile), signing.ExportPkcs8PrivateKeyPem());
            KeyFiles.WritePublic(Path.Combine(root, SigningPublicFile), signing.ExportSubjectPublicKeyInfoPem());
        }

        new KeyringIndex(null, new KeyringEntry(SigningPublicFile, SigningPrivateFile), new Dictionary<string, KeyringEntry>(StringComparer.Ordinal)).Write(root);
        return Load(root);
    }

    /// <summary>
    /// Replaces the signing key with an existing one (PEM or <c>&lt;RSAKeyValue&gt;</c> XML, private or public
    /// only): the key that signs new v2 records and verifies stored ones. Envelopes signed by the previous key
    /// no longer verify, so do this before writing secrets (or rewrap after). The previous key files are kept.
    /// Throws <c>SSB3007</c> for text that is not an RSA key and <c>SSB3005</c> under 2048 bits.
    /// </summary>
    public void ImportSigningKey(string keyText)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyText);
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var rsa = ParseKeyText(keyText, "the imported signing key", out var isPrivate);
        RequireNewKeySize(rsa.KeySize, "signing key");

        // A fresh file stem each time: key files are never overwritten.
        var stem = "keys/signing-" + Guid.NewGuid().ToString("N")[..12];
        var publicFile = stem + ".public.pem";
        var privateFile = isPrivate ? stem + ".private.pem" : null;
        System.IO.Directory.CreateDirectory(Path.Combine(Directory, "keys"));
        if (privateFile is not null)
        {
            KeyFiles.WritePrivate(KeyFiles.Resolve(Directory, privateFile), rsa.ExportPkcs8PrivateKeyPem());
        }

        KeyFiles.WritePublic(KeyFiles.Resolve(Directory, publicFile), rsa.ExportSubjectPublicKeyInfoPem());
        var index = KeyringIndex.Read(Directory);
        new KeyringIndex(index.DefaultKeyId, new KeyringEntry(publicFile, privateFile), index.Keys).Write(Directory);

        var publicKey = RSA.Create();
        publicKey.ImportSubjectPublicKeyInfo(rsa.ExportSubjectPublicKeyInfo(), out _);
        RSA? privateKey = null;
        if (isPrivate)
        {
            privateKey = RSA.Create();
            privateKey.ImportParameters(rsa.ExportParameters(includePrivateParameters: true));
        }

        var previous = _signingKey;
        _signingKey = new RsaKeyPair(publicKey, privateKey, publicFile, privateFile);
        _signer = new RsaEnvelopeSigner(_signingKey, Directory);
        previous.Dispose();
    }

    /// <summary>The size in bits of the signing key.</summary>
    public int SigningKeySize => _signingKey.KeySizeInBits;

    /// <summary>
    /// Generates a new encryption key pair under <paramref name="keyId"/> and records it in <c>keyring.json</c>.
    /// Throws <c>SSB3005</c> under 2048 bits and <c>SSB3007</c> when the id already exists.
    /// </summary>
    public void AddKey(string keyId, int keySizeInBits = DefaultKeySizeInBits, bool makeDefault = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyId);
        RequireNewKeySize(keySizeInBits, keyId);
        using var rsa = RSA.Create(keySizeInBits);
        AddPair(keyId, rsa, includePrivate: true, makeDefault);
    }

    /// <summary>
    /// Imports an existing key under <paramref name="keyId"/>: PEM (<c>PRIVATE KEY</c>, <c>RSA PRIVATE KEY</c>,
    /// <c>PUBLIC KEY</c>, <c>RSA PUBLIC KEY</c>) or .NET <c>&lt;RSAKeyValue&gt;</c> XML. A private key is stored
    /// as PKCS#8 (mode 600) with its SPKI public key; a public key alone gives a write-only entry.
    /// Keys under 2048 bits are refused (<c>SSB3005</c>) unless <paramref name="allowSmallKey"/> is set, for
    /// importing a reference keyring whose old records must stay readable.
    /// </summary>
    public void ImportKey(string keyId, string keyText, bool makeDefault = false, bool allowSmallKey = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyId);
        ArgumentException.ThrowIfNullOrEmpty(keyText);
        using var rsa = ParseKeyText(keyText, $"the key imported as '{keyId}'", out var isPrivate);
        if (!allowSmallKey)
        {
            RequireNewKeySize(rsa.KeySize, keyId);
        }

        AddPair(keyId, rsa, isPrivate, makeDefault);
    }

    /// <summary>True when the keyring holds <paramref name="keyId"/>.</summary>
    public bool ContainsKey(string keyId) => _keys.ContainsKey(keyId);

    /// <summary>True when the private half of <paramref name="keyId"/> is available (reads are possible).</summary>
    public bool HasPrivateKey(string keyId) => _keys.TryGetValue(keyId, out var pair) && pair.PrivateKey is not null;

    /// <summary>The size in bits of <paramref name="keyId"/>; <c>SSB3001</c> when unknown.</summary>
    public int GetKeySize(string keyId) => GetPair(keyId).KeySizeInBits;

    /// <summary>The SPKI public key PEM of <paramref name="keyId"/>, to share with writers.</summary>
    public string ExportPublicKeyPem(string keyId) => GetPair(keyId).PublicKey.ExportSubjectPublicKeyInfoPem();

    /// <summary>The SPKI public key PEM of the signing key.</summary>
    public string ExportSigningPublicKeyPem() => _signingKey.PublicKey.ExportSubjectPublicKeyInfoPem();

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var pair in _keys.Values)
        {
            pair.Dispose();
        }

        _signingKey.Dispose();
    }

    /// <summary>Names the folder only.</summary>
    public override string ToString() => $"RSA keyring '{Directory}' ({_keys.Count} keys)";

    internal RSA GetPublicKey(string keyId) => GetPair(keyId).PublicKey;

    internal RSA GetPrivateKey(string keyId) =>
        GetPair(keyId).PrivateKey
        ?? throw new SecretStoreException(DiagnosticCodes.KeyMaterialMissing, $"Reading needs the private key of '{keyId}', which the keyring in '{Directory}' does not hold.");

    internal static RSA ParseKeyText(string text, string what, out bool isPrivate)
    {
        var rsa = RSA.Create();
        try
        {
            var trimmed = text.AsSpan().Trim();
            if (trimmed.StartsWith("<", StringComparison.Ordinal))
            {
                rsa.FromXmlString(text);
                isPrivate = text.Contains("<D>", StringComparison.Ordinal);
            }
            else
            {
                rsa.ImportFromPem(text);
                isPrivate = text.Contains("PRIVATE KEY-----", StringComparison.Ordinal);
            }

            return rsa;
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException or FormatException or System.Xml.XmlException)
        {
            rsa.Dispose();

            // The exception text of a PEM parser could quote input, so it is not passed on.
            throw new SecretStoreException(DiagnosticCodes.InvalidKeyring, $"{what} is not an RSA key in PEM (PKCS#8, PKCS#1, SPKI) or <RSAKeyValue> XML.");
        }
    }

    private static void RequireNewKeySize(int keySizeInBits, string keyId)
    {
        if (keySizeInBits < MinimumKeySizeInBits)
        {
            throw new SecretStoreException(DiagnosticCodes.KeyTooSmall, $"Key '{keyId}' has {keySizeInBits} bits; new keys need at least {MinimumKeySizeInBits}.");
        }
    }

    private static RsaKeyPair LoadPair(string root, KeyringEntry entry, string what)
    {
        RSA? publicKey = null;
        RSA? privateKey = null;
        try
        {
            if (entry.PrivateKeyFile is not null)
            {
                var path = KeyFiles.Resolve(root, entry.PrivateKeyFile);
                if (File.Exists(path))
                {
                    privateKey = ParseKeyText(KeyFiles.ReadText(path, what), $"The private key file of {what} ('{entry.PrivateKeyFile}')", out var isPrivate);
                    if (!isPrivate)
                    {
                        throw new SecretStoreException(DiagnosticCodes.InvalidKeyring, $"The private key file of {what} ('{entry.PrivateKeyFile}') holds a public key.");
                    }
                }
            }

            if (entry.PublicKeyFile is not null)
            {
                var path = KeyFiles.Resolve(root, entry.PublicKeyFile);
                if (File.Exists(path))
                {
                    publicKey = ParseKeyText(KeyFiles.ReadText(path, what), $"The public key file of {what} ('{entry.PublicKeyFile}')", out _);
                }
            }

            if (publicKey is null && privateKey is not null)
            {
                publicKey = RSA.Create();
                publicKey.ImportSubjectPublicKeyInfo(privateKey.ExportSubjectPublicKeyInfo(), out _);
            }

            if (publicKey is null)
            {
                throw new SecretStoreException(DiagnosticCodes.KeyMaterialMissing, $"Neither key file of {what} exists in the keyring '{root}'.");
            }

            if (privateKey is not null && !privateKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(publicKey.ExportSubjectPublicKeyInfo()))
            {
                throw new SecretStoreException(DiagnosticCodes.InvalidKeyring, $"The private and public key files of {what} do not belong together.");
            }

            return new RsaKeyPair(publicKey, privateKey, entry.PublicKeyFile, entry.PrivateKeyFile);
        }
        catch
        {
            publicKey?.Dispose();
            privateKey?.Dispose();
            throw;
        }
    }

    private void ApplyOptions(RsaKeyringLoadOptions options)
    {
        var pem = options.PrivateKeyPem;
        if (options.PrivateKeyEnvironmentVariable is { } variable)
        {
            pem = Environment.GetEnvironmentVariable(variable);
            if (string.IsNullOrWhiteSpace(pem))
            {
                throw new SecretStoreException(DiagnosticCodes.KeyMaterialMissing, $"The environment variable '{variable}' that should hold the private key is not set.");
            }
        }

        if (pem is not null)
        {
            var what = options.PrivateKeyEnvironmentVariable is null ? "The supplied private key" : $"The private key in '{options.PrivateKeyEnvironmentVariable}'";
            var rsa = ParseKeyText(pem, what, out var isPrivate);
            try
            {
                if (!isPrivate)
                {
                    throw new SecretStoreException(DiagnosticCodes.InvalidKeyring, $"{what} is a public key.");
                }

                var spki = rsa.ExportSubjectPublicKeyInfo();
                var match = options.PrivateKeyId is { } id
                    ? GetPair(id)
                    : _keys.Values.FirstOrDefault(p => p.SubjectPublicKeyInfo.AsSpan().SequenceEqual(spki))
                      ?? throw new SecretStoreException(DiagnosticCodes.InvalidKeyring, $"{what} matches no key in the keyring '{Directory}'.");
                if (!match.SubjectPublicKeyInfo.AsSpan().SequenceEqual(spki))
                {
                    throw new SecretStoreException(DiagnosticCodes.InvalidKeyring, $"{what} does not match the public key of '{options.PrivateKeyId}'.");
                }

                match.UsePrivateKey(rsa);
            }
            catch
            {
                rsa.Dispose();
                throw;
            }
        }

        if (options.SigningPrivateKeyEnvironmentVariable is { } signingVariable)
        {
            var signingPem = Environment.GetEnvironmentVariable(signingVariable);
            if (string.IsNullOrWhiteSpace(signingPem))
            {
                throw new SecretStoreException(DiagnosticCodes.KeyMaterialMissing, $"The environment variable '{signingVariable}' that should hold the signing key is not set.");
            }

            var rsa = ParseKeyText(signingPem, $"The signing key in '{signingVariable}'", out var isPrivate);
            if (!isPrivate || !rsa.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(_signingKey.SubjectPublicKeyInfo))
            {
                rsa.Dispose();
                throw new SecretStoreException(DiagnosticCodes.InvalidKeyring, $"The signing key in '{signingVariable}' is not the private half of the keyring's signing key.");
            }

            _signingKey.UsePrivateKey(rsa);
        }
    }

    private RsaKeyPair GetPair(string keyId)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _keys.TryGetValue(keyId, out var pair) ? pair : throw new MasterKeyNotFoundException(keyId);
    }

    private void AddPair(string keyId, RSA rsa, bool includePrivate, bool makeDefault)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_keys.ContainsKey(keyId))
        {
            throw new SecretStoreException(DiagnosticCodes.InvalidKeyring, $"Key '{keyId}' already exists in the keyring '{Directory}'.");
        }

        var stem = "keys/" + KeyFiles.FileStem(keyId);
        var publicFile = stem + ".public.pem";
        var privateFile = includePrivate ? stem + ".private.pem" : null;
        System.IO.Directory.CreateDirectory(Path.Combine(Directory, "keys"));
        if (privateFile is not null)
        {
            KeyFiles.WritePrivate(KeyFiles.Resolve(Directory, privateFile), rsa.ExportPkcs8PrivateKeyPem());
        }

        KeyFiles.WritePublic(KeyFiles.Resolve(Directory, publicFile), rsa.ExportSubjectPublicKeyInfoPem());

        var index = KeyringIndex.Read(Directory);
        var entries = new Dictionary<string, KeyringEntry>(index.Keys, StringComparer.Ordinal)
        {
            [keyId] = new KeyringEntry(publicFile, privateFile),
        };
        var defaultKeyId = makeDefault || index.DefaultKeyId is null ? keyId : index.DefaultKeyId;
        new KeyringIndex(defaultKeyId, index.SigningKey, entries).Write(Directory);

        var publicKey = RSA.Create();
        publicKey.ImportSubjectPublicKeyInfo(rsa.ExportSubjectPublicKeyInfo(), out _);
        RSA? privateKey = null;
        if (includePrivate)
        {
            privateKey = RSA.Create();
            var pkcs8 = rsa.ExportPkcs8PrivateKey();
            try
            {
                privateKey.ImportPkcs8PrivateKey(pkcs8, out _);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(pkcs8);
            }
        }

        _keys.Add(keyId, new RsaKeyPair(publicKey, privateKey, publicFile, privateFile));
        DefaultKeyId = defaultKeyId;
    }
}
