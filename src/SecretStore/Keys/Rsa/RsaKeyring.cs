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
    private string? _anchor;
    private string? _anchorSource;
    private bool _disposed;

    private RsaKeyring(string directory, Dictionary<string, RsaKeyPair> keys, RsaKeyPair signingKey, string? defaultKeyId, string? anchor, string? anchorSource)
    {
        Directory = directory;
        _keys = keys;
        _signingKey = signingKey;
        DefaultKeyId = defaultKeyId;
        _anchor = anchor;
        _anchorSource = anchorSource;
        _signer = new RsaEnvelopeSigner(signingKey, this);
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
    /// The reader's trust anchor, <c>sha256:</c> and the hex SHA-256 of the trusted signing key's
    /// SubjectPublicKeyInfo, or null when none was given. It comes from the reader secret (the private key
    /// variable) when one is given, else from the private key files, else from the signing private key; never
    /// from <c>keyring.json</c> or <c>signing.public.pem</c>, which anyone who can change the folder can replace.
    /// Records are read only when signed by this key.
    /// </summary>
    public string? TrustAnchor => _anchor;

    /// <summary>The fingerprint (<c>sha256:</c> hex of the SPKI) of the signing public key in the folder.</summary>
    public string SigningKeyFingerprint => _signingKey.Fingerprint;

    /// <summary>The fingerprint (<c>sha256:</c> hex of the SPKI) of <paramref name="keyId"/>'s public key; <c>SSB3001</c> when unknown.</summary>
    public string GetKeyFingerprint(string keyId) => GetPair(keyId).Fingerprint;

    /// <summary>
    /// Loads a keyring folder. Throws <see cref="SecretStoreException"/> with <c>SSB3007</c> when
    /// <c>keyring.json</c> is missing or invalid, a key does not parse, or a path leaves the folder (by text or
    /// real path); <c>SSB3008</c> when a named environment variable is empty; <c>SSB3009</c> when the supplied
    /// private keys disagree on the trust anchor; <c>SSB3010</c> when the supplied private key is a plain PEM without
    /// an anchor; and <c>SSB3011</c> when a private key file is accessible by group or others (Unix).
    /// With a reader secret (<see cref="RsaKeyringLoadOptions.PrivateKeyEnvironmentVariable"/> or
    /// <see cref="RsaKeyringLoadOptions.PrivateKeyPem"/>) the folder's private encryption key files are not read:
    /// the secret alone gives the private keys and the anchor.
    /// </summary>
    public static RsaKeyring Load(string directory, RsaKeyringLoadOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        options ??= new RsaKeyringLoadOptions();
        var root = Path.GetFullPath(directory);
        var index = KeyringIndex.Read(root);
        using var supplied = ReadSuppliedReaderKey(options);
        var keys = new Dictionary<string, RsaKeyPair>(StringComparer.Ordinal);
        RsaKeyPair? signing = null;
        try
        {
            var trust = supplied is null ? new AnchorBuilder(root) : new AnchorBuilder(root, supplied.AnchorFingerprint, DescribeSupplied(options));
            foreach (var entry in index.Keys)
            {
                keys.Add(entry.Key, LoadPair(root, entry.Value, $"key '{entry.Key}'", entry.Key, readPrivate: supplied is null, trust));
            }

            signing = LoadPair(root, index.SigningKey, "the signing key", keyId: null, readPrivate: true, trust);
            if (supplied is not null)
            {
                UseSuppliedKeys(root, keys, supplied);
            }

            UseSigningKeyVariable(options, signing);
            if (signing.PrivateKey is not null)
            {
                // A signing private key is the anchor's own private half: it must be the anchored key (or, without
                // any other anchor, becomes it).
                trust.Add(signing.Fingerprint, "the signing private key");
            }

            return new RsaKeyring(root, keys, signing, index.DefaultKeyId, trust.Anchor, trust.Source);
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

        KeyFiles.CreateFolder(root);
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
        KeyFiles.CreateFolder(Path.Combine(Directory, "keys"));
        if (privateFile is not null)
        {
            KeyFiles.WritePrivate(KeyFiles.Resolve(Directory, privateFile), rsa.ExportPkcs8PrivateKeyPem());
        }

        KeyFiles.WritePublic(KeyFiles.Resolve(Directory, publicFile), rsa.ExportSubjectPublicKeyInfoPem());
        var index = KeyringIndex.Read(Directory);
        new KeyringIndex(index.DefaultKeyId, new KeyringEntry(publicFile, privateFile), index.Keys).Write(Directory);

        // The private key files carry the anchor: re-anchor them to the new signing key, or they would refuse
        // every record it signs.
        var anchor = KeyFingerprint.HashOf(rsa.ExportSubjectPublicKeyInfo());
        foreach (var (keyId, pair) in _keys)
        {
            if (pair.PrivateKey is not null && pair.PrivateKeyFile is not null && File.Exists(KeyFiles.Resolve(Directory, pair.PrivateKeyFile)))
            {
                KeyFiles.ReplacePrivate(KeyFiles.Resolve(Directory, pair.PrivateKeyFile), RsaReaderKey.Encode(anchor, [new(keyId, pair.PrivateKey)]));
                pair.UsePrivateKey(ClonePrivate(pair.PrivateKey));
            }
        }

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
        _signer = new RsaEnvelopeSigner(_signingKey, this);
        _anchor = _signingKey.Fingerprint;
        _anchorSource = "the imported signing key";
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

    /// <summary>
    /// Removes <paramref name="keyId"/> from <c>keyring.json</c> and deletes its key files: a recipient who leaves. The
    /// default key is refused (<c>SSB0001</c>; make another key the default first), as is an unknown id (<c>SSB3001</c>).
    /// Records already written for the key stay readable by it wherever a copy of its private key survives:
    /// <c>rewrap</c> without it first, then rotate the values it could read.
    /// </summary>
    public void RemoveKey(string keyId)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyId);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var pair = GetPair(keyId);
        if (string.Equals(keyId, DefaultKeyId, StringComparison.Ordinal))
        {
            throw new SecretStoreException(DiagnosticCodes.InvalidArgument, $"Key '{keyId}' is the default key of the keyring '{Directory}'; make another key the default first ('secretstore keys add ... --default').");
        }

        var index = KeyringIndex.Read(Directory);
        var entries = new Dictionary<string, KeyringEntry>(index.Keys, StringComparer.Ordinal);
        entries.Remove(keyId);
        new KeyringIndex(index.DefaultKeyId, index.SigningKey, entries).Write(Directory);
        foreach (var file in new[] { pair.PrivateKeyFile, pair.PublicKeyFile })
        {
            if (file is not null)
            {
                System.IO.File.Delete(KeyFiles.Resolve(Directory, file));
            }
        }

        _keys.Remove(keyId);
        pair.Dispose();
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

    /// <summary>
    /// The reader secret for <paramref name="keyId"/> (null: every key whose private half the keyring holds): the
    /// private key(s) and the trust anchor in one <c>SECRETSTORE READER KEY</c> PEM, to be stored in a CI secret
    /// variable and named by the private key variable setting. The anchor is <see cref="TrustAnchor"/>; a keyring
    /// whose private key files predate anchors has none, and then the folder's signing public key is taken as the
    /// anchor: export on a trusted copy of the keyring. The returned text is key material: never log it.
    /// Throws <c>SSB3008</c> when no private key is held and <c>SSB3009</c> when the folder's signing key is not
    /// the anchor.
    /// </summary>
    public string ExportReaderSecret(string? keyId = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var anchor = _anchor ?? _signingKey.Fingerprint;
        if (!string.Equals(anchor, _signingKey.Fingerprint, StringComparison.Ordinal))
        {
            throw Untrusted($"The signing public key in the keyring '{Directory}' is {_signingKey.Fingerprint}, but the trust anchor (from {_anchorSource}) is {anchor}; no reader secret is exported for a keyring whose signing key was replaced.");
        }

        var pairs = keyId is null
            ? _keys.Where(k => k.Value.PrivateKey is not null).OrderBy(k => k.Key, StringComparer.Ordinal).ToList()
            : [new(keyId, GetPair(keyId))];
        if (pairs.Count == 0 || pairs.Exists(p => p.Value.PrivateKey is null))
        {
            throw new SecretStoreException(DiagnosticCodes.KeyMaterialMissing, keyId is null
                ? $"The keyring in '{Directory}' holds no private encryption key to export."
                : $"The keyring in '{Directory}' does not hold the private key of '{keyId}'.");
        }

        return RsaReaderKey.Encode(KeyFingerprint.HashOf(_signingKey.SubjectPublicKeyInfo), pairs.Select(p => new KeyValuePair<string, RSA>(p.Key, p.Value.PrivateKey!)));
    }

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

    internal RSA GetPrivateKey(string keyId)
    {
        var pair = GetPair(keyId);
        if (pair.PrivateKey is null)
        {
            throw new SecretStoreException(DiagnosticCodes.KeyMaterialMissing, $"Reading needs the private key of '{keyId}', which the keyring in '{Directory}' does not hold.");
        }

        return pair.PrivateKeyAnchored ? pair.PrivateKey : throw NoAnchor($"The private key file of '{keyId}' in the keyring '{Directory}'");
    }

    /// <summary>
    /// Refuses a record before anything is verified or decrypted unless the reader has a trust anchor, the
    /// record's signer (when the format names one) is the anchor, and the folder's signing key is the anchor.
    /// </summary>
    internal void RequireTrustedSigner(string? recordSigner, string folderSigner, string subject)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_anchor is null)
        {
            if (_keys.Values.Any(p => p.PrivateKey is not null && !p.PrivateKeyAnchored))
            {
                throw NoAnchor($"Reading the record {subject}: the private key files in the keyring '{Directory}'");
            }

            throw new SecretStoreException(
                DiagnosticCodes.KeyMaterialMissing,
                $"Reading the record {subject} needs a reader secret (the private key and the trust anchor): pass the output of 'secretstore keys export-reader' through the private key variable, or keep the private key files in the keyring '{Directory}'.");
        }

        if (recordSigner is not null && !string.Equals(recordSigner, _anchor, StringComparison.Ordinal))
        {
            // Issue 14: say both keyrings, as `keys list` shows them (the "(anchor)" row), and what to do.
            throw Untrusted(
                $"The record {subject} was signed by the keyring {KeyFingerprint.Describe(recordSigner)}, but the keyring given, '{Directory}', is {_anchor} " +
                $"(its trust anchor, from {_anchorSource}); it is refused before decryption. Fix: read with the keyring that wrote the record " +
                $"('secretstore keys list <folder>' prints a keyring's fingerprint as its (anchor) row, or its reader secret), or have its holder rewrap the record for this keyring.");
        }

        if (!string.Equals(folderSigner, _anchor, StringComparison.Ordinal))
        {
            throw Untrusted($"The signing public key in the keyring '{Directory}' is {folderSigner}, but the trust anchor (from {_anchorSource}) is {_anchor}; records are refused before decryption.");
        }
    }

    internal static RSA ParseKeyText(string text, string what, out bool isPrivate)
    {
        var rsa = RSA.Create();
        try
        {
            var trimmed = text.AsSpan().Trim();
            if (trimmed.StartsWith("<", StringComparison.Ordinal))
            {
                // A DTD or any other declaration (`<!DOCTYPE`, `<!ENTITY`, `<![CDATA[`, comments) has no place in
                // an <RSAKeyValue>, and parsing one invites entity expansion: refused before the parser sees it.
                if (text.Contains("<!", StringComparison.Ordinal))
                {
                    throw new SecretStoreException(DiagnosticCodes.InvalidKeyring, $"{what} is XML with a DTD or declaration ('<!'), which a key never needs; it is refused unparsed.");
                }

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
        catch (SecretStoreException)
        {
            rsa.Dispose();
            throw;
        }
        catch (Exception ex)
        {
            rsa.Dispose();

            // Every parser failure, whatever its type, is a keyring error; the exception text of a PEM or XML parser
            // could quote input, so only the type is passed on.
            throw new SecretStoreException(DiagnosticCodes.InvalidKeyring, $"{what} is not an RSA key in PEM (PKCS#8, PKCS#1, SPKI) or <RSAKeyValue> XML ({ex.GetType().Name}).");
        }
    }

    private static void RequireNewKeySize(int keySizeInBits, string keyId)
    {
        if (keySizeInBits < MinimumKeySizeInBits)
        {
            throw new SecretStoreException(DiagnosticCodes.KeyTooSmall, $"Key '{keyId}' has {keySizeInBits} bits; new keys need at least {MinimumKeySizeInBits}.");
        }
    }

    private static RsaKeyPair LoadPair(string root, KeyringEntry entry, string what, string? keyId, bool readPrivate, AnchorBuilder trust)
    {
        RSA? publicKey = null;
        RSA? privateKey = null;
        var anchored = true;
        try
        {
            if (readPrivate && entry.PrivateKeyFile is not null)
            {
                var path = KeyFiles.Resolve(root, entry.PrivateKeyFile);
                if (File.Exists(path))
                {
                    KeyFiles.RequireOwnerOnly(path, entry.PrivateKeyFile, what);
                    var text = KeyFiles.ReadText(path, what);
                    var fileWhat = $"The private key file of {what} ('{entry.PrivateKeyFile}')";
                    if (keyId is not null && RsaReaderKey.IsReaderKeyText(text))
                    {
                        using var readerKey = RsaReaderKey.Parse(text, fileWhat);
                        if (readerKey.Keys.Count != 1 || !string.Equals(readerKey.Keys[0].Key, keyId, StringComparison.Ordinal))
                        {
                            throw new SecretStoreException(DiagnosticCodes.InvalidKeyring, $"{fileWhat} holds another key than '{keyId}'.");
                        }

                        trust.Add(readerKey.AnchorFingerprint, $"the private key file of {what} ('{entry.PrivateKeyFile}')");
                        privateKey = readerKey.Take(keyId);
                    }
                    else
                    {
                        // The signing private key is plain PKCS#8 (it is the anchor's own private half); an
                        // encryption key in that form predates anchors: kept for export-reader, never used to read.
                        privateKey = ParseKeyText(text, fileWhat, out var isPrivate);
                        anchored = keyId is null;
                        if (!isPrivate)
                        {
                            throw new SecretStoreException(DiagnosticCodes.InvalidKeyring, $"{fileWhat} holds a public key.");
                        }
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
                publicKey = PublicHalf(privateKey);
            }

            if (publicKey is null)
            {
                throw new SecretStoreException(DiagnosticCodes.KeyMaterialMissing, $"Neither key file of {what} exists in the keyring '{root}'.");
            }

            if (privateKey is not null && !privateKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(publicKey.ExportSubjectPublicKeyInfo()))
            {
                throw new SecretStoreException(DiagnosticCodes.InvalidKeyring, $"The private and public key files of {what} do not belong together.");
            }

            return new RsaKeyPair(publicKey, privateKey, entry.PublicKeyFile, entry.PrivateKeyFile, anchored);
        }
        catch
        {
            publicKey?.Dispose();
            privateKey?.Dispose();
            throw;
        }
    }

    private static RSA PublicHalf(RSA key)
    {
        var publicKey = RSA.Create();
        publicKey.ImportSubjectPublicKeyInfo(key.ExportSubjectPublicKeyInfo(), out _);
        return publicKey;
    }

    private static RSA ClonePrivate(RSA key)
    {
        var pkcs8 = key.ExportPkcs8PrivateKey();
        try
        {
            var clone = RSA.Create();
            clone.ImportPkcs8PrivateKey(pkcs8, out _);
            return clone;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
        }
    }

    /// <summary>
    /// The setting takes the NAME of a variable. A value that is not a name is most likely the secret itself, pasted
    /// where its name belongs (`--private-key-env "$READER_KEY"`), so it is refused without being repeated.
    /// </summary>
    private static void RequireVariableName(string variable, string setting)
    {
        var isName = variable.Length is > 0 and <= 256 && (char.IsAsciiLetter(variable[0]) || variable[0] == '_')
            && variable.AsSpan().IndexOfAnyExcept(VariableNameChars) < 0;
        if (!isName)
        {
            throw new SecretStoreException(DiagnosticCodes.InvalidStoreConfiguration, $"The {setting} is not an environment variable name (letters, digits and '_'); it is not repeated here, since it may be the key itself. Fix: pass the NAME of the variable that holds the reader secret, for example SECRETSTORE_READER_KEY.");
        }
    }

    private static readonly System.Buffers.SearchValues<char> VariableNameChars =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_");

    private static string DescribeSupplied(RsaKeyringLoadOptions options) =>
        options.PrivateKeyEnvironmentVariable is { } variable ? $"the reader secret in '{variable}'" : "the supplied reader secret";

    private static RsaReaderKey? ReadSuppliedReaderKey(RsaKeyringLoadOptions options)
    {
        var text = options.PrivateKeyPem;
        if (options.PrivateKeyEnvironmentVariable is { } variable)
        {
            RequireVariableName(variable, "private key variable");
            text = Environment.GetEnvironmentVariable(variable);
            if (string.IsNullOrWhiteSpace(text))
            {
                throw new SecretStoreException(DiagnosticCodes.KeyMaterialMissing, $"The environment variable '{variable}' that should hold the reader secret (private key) is not set.");
            }
        }

        if (text is null)
        {
            return null;
        }

        var what = options.PrivateKeyEnvironmentVariable is null ? "The supplied private key" : $"The private key in '{options.PrivateKeyEnvironmentVariable}'";
        return RsaReaderKey.Parse(text, what);
    }

    private static void UseSuppliedKeys(string root, Dictionary<string, RsaKeyPair> keys, RsaReaderKey supplied)
    {
        foreach (var keyId in supplied.Keys.Select(k => k.Key).ToList())
        {
            var rsa = supplied.Take(keyId);
            try
            {
                if (keys.TryGetValue(keyId, out var pair))
                {
                    if (!pair.SubjectPublicKeyInfo.AsSpan().SequenceEqual(rsa.ExportSubjectPublicKeyInfo()))
                    {
                        throw new SecretStoreException(
                            DiagnosticCodes.InvalidKeyring,
                            $"The reader secret's key '{keyId}' is {KeyFingerprint.Of(rsa.ExportSubjectPublicKeyInfo())}, but the keyring '{root}' lists {pair.Fingerprint} under that id: " +
                            $"the reader secret comes from another keyring. Fix: export it again from this keyring ('secretstore keys export-reader {root}') " +
                            "into the variable, or point the keyring option at the folder it was exported from.");
                    }

                    pair.UsePrivateKey(rsa);
                }
                else
                {
                    // A key the folder does not list (or no longer lists) is still the reader's own.
                    keys.Add(keyId, new RsaKeyPair(PublicHalf(rsa), rsa, null, null));
                }
            }
            catch
            {
                rsa.Dispose();
                throw;
            }
        }
    }

    private static void UseSigningKeyVariable(RsaKeyringLoadOptions options, RsaKeyPair signing)
    {
        if (options.SigningPrivateKeyEnvironmentVariable is not { } signingVariable)
        {
            return;
        }

        RequireVariableName(signingVariable, "signing key variable");
        var signingPem = Environment.GetEnvironmentVariable(signingVariable);
        if (string.IsNullOrWhiteSpace(signingPem))
        {
            throw new SecretStoreException(DiagnosticCodes.KeyMaterialMissing, $"The environment variable '{signingVariable}' that should hold the signing key is not set.");
        }

        var rsa = ParseKeyText(signingPem, $"The signing key in '{signingVariable}'", out var isPrivate);
        if (!isPrivate || !rsa.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(signing.SubjectPublicKeyInfo))
        {
            rsa.Dispose();
            throw new SecretStoreException(DiagnosticCodes.InvalidKeyring, $"The signing key in '{signingVariable}' is not the private half of the keyring's signing key.");
        }

        signing.UsePrivateKey(rsa);
    }

    private static SecretStoreException NoAnchor(string what) =>
        new(DiagnosticCodes.PrivateKeyWithoutAnchor, $"{what} carry no trust anchor (the form before reader secrets) and are not used to read; run 'secretstore keys export-reader <keyring>' on the keyring's trusted copy and use its output as the private key variable.");

    private static SecretStoreException Untrusted(string message) => new(DiagnosticCodes.UntrustedSigner, message);

    /// <summary>Collects the anchor from every trusted source; any two that disagree are refused (SSB3009).</summary>
    private sealed class AnchorBuilder
    {
        private readonly string _root;
        private readonly bool _fixedBySecret;

        public AnchorBuilder(string root) => _root = root;

        public AnchorBuilder(string root, string anchor, string source)
        {
            _root = root;
            Anchor = anchor;
            Source = source;
            _fixedBySecret = true;
        }

        public string? Anchor { get; private set; }

        public string? Source { get; private set; }

        public void Add(string anchor, string source)
        {
            if (Anchor is null)
            {
                Anchor = anchor;
                Source = source;
                return;
            }

            if (!string.Equals(Anchor, anchor, StringComparison.Ordinal))
            {
                throw Untrusted(_fixedBySecret
                    ? $"{Capitalise(source)} in the keyring '{_root}' is {anchor}, but {Source} anchors {Anchor}; refused."
                    : $"The trust anchors in the keyring '{_root}' disagree: {Source} anchors {Anchor}, {source} anchors {anchor}; refused.");
            }
        }

        private static string Capitalise(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
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
        KeyFiles.CreateFolder(Path.Combine(Directory, "keys"));
        if (privateFile is not null)
        {
            // The file carries the anchor it is read with: the keyring's anchor, or (for a folder that has none yet,
            // a keyring being made here) the signing key of the folder this writer is working in.
            if (_anchor is not null && !string.Equals(_anchor, _signingKey.Fingerprint, StringComparison.Ordinal))
            {
                throw Untrusted($"The signing public key in the keyring '{Directory}' is {_signingKey.Fingerprint}, but the trust anchor (from {_anchorSource}) is {_anchor}; no private key is written for a keyring whose signing key was replaced.");
            }

            KeyFiles.WritePrivate(KeyFiles.Resolve(Directory, privateFile), RsaReaderKey.Encode(KeyFingerprint.HashOf(_signingKey.SubjectPublicKeyInfo), [new(keyId, rsa)]));
            _anchor ??= _signingKey.Fingerprint;
            _anchorSource ??= "the signing key of the folder the key was added in";
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
