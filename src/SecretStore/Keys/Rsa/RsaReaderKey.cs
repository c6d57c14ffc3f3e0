using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using SecretStore.Diagnostics;

namespace SecretStore.Keys.Rsa;

/// <summary>
/// A <em>reader secret</em>: private encryption key(s) together with the trust anchor, the fingerprint of the
/// signing key whose records the reader accepts. One text format serves both the private key files of a keyring
/// and the value of the private key environment variable, so the anchor always travels with the private key and
/// never comes from the (shared, writable) keyring folder alone.
/// <code>
/// -----BEGIN SECRETSTORE READER KEY-----
/// base64( "SSRK" | 0x01 version | 32-byte SHA-256 of the signing key's SPKI
///         | uint32 count | count × ( uint32 length | key id UTF-8 | uint32 length | PKCS#8 DER ) )
/// -----END SECRETSTORE READER KEY-----
/// </code>
/// Integers are little-endian; no trailing bytes. Disposing frees the keys; buffers holding key bytes are zeroed.
/// </summary>
internal sealed class RsaReaderKey : IDisposable
{
    public const string PemLabel = "SECRETSTORE READER KEY";

    private const byte Version = 1;
    private const int MaxKeys = 64;
    private static readonly byte[] Magic = "SSRK"u8.ToArray();
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly List<KeyValuePair<string, RSA>> _keys;

    private RsaReaderKey(byte[] anchor, List<KeyValuePair<string, RSA>> keys)
    {
        Anchor = anchor;
        _keys = keys;
    }

    /// <summary>SHA-256 of the trusted signing key's SubjectPublicKeyInfo.</summary>
    public byte[] Anchor { get; }

    public string AnchorFingerprint => KeyFingerprint.Format(Anchor);

    public IReadOnlyList<KeyValuePair<string, RSA>> Keys => _keys;

    /// <summary>True when <paramref name="text"/> is armoured as a reader secret (it may still be malformed).</summary>
    public static bool IsReaderKeyText(string text) => text.Contains("-----BEGIN " + PemLabel + "-----", StringComparison.Ordinal);

    /// <summary>Encodes keys and anchor as reader secret text. The returned string holds key material.</summary>
    public static string Encode(ReadOnlySpan<byte> anchor, IEnumerable<KeyValuePair<string, RSA>> keys)
    {
        if (anchor.Length != KeyFingerprint.HashSizeInBytes)
        {
            throw new ArgumentException("The anchor must be a SHA-256 hash.", nameof(anchor));
        }

        var parts = new List<byte[]>();
        try
        {
            foreach (var (keyId, rsa) in keys)
            {
                parts.Add(StrictUtf8.GetBytes(keyId));
                parts.Add(rsa.ExportPkcs8PrivateKey());
            }

            var length = Magic.Length + 1 + anchor.Length + 4 + parts.Sum(p => 4 + p.Length);
            var body = new byte[length];
            try
            {
                var span = body.AsSpan();
                Magic.CopyTo(span);
                span[4] = Version;
                anchor.CopyTo(span[5..]);
                var offset = 5 + anchor.Length;
                BinaryPrimitives.WriteUInt32LittleEndian(span[offset..], (uint)(parts.Count / 2));
                offset += 4;
                foreach (var part in parts)
                {
                    BinaryPrimitives.WriteUInt32LittleEndian(span[offset..], (uint)part.Length);
                    part.CopyTo(span[(offset + 4)..]);
                    offset += 4 + part.Length;
                }

                return new string(PemEncoding.Write(PemLabel, body)) + "\n";
            }
            finally
            {
                CryptographicOperations.ZeroMemory(body);
            }
        }
        finally
        {
            foreach (var part in parts)
            {
                CryptographicOperations.ZeroMemory(part);
            }
        }
    }

    /// <summary>
    /// Parses reader secret text. A plain PEM or XML private key (the form before trust anchors) is
    /// <c>SSB3010</c>; anything else that is not a well-formed reader secret is <c>SSB3007</c>. Messages name
    /// <paramref name="what"/> only, never the text.
    /// </summary>
    public static RsaReaderKey Parse(string text, string what)
    {
        if (!IsReaderKeyText(text))
        {
            if (!text.Contains("PRIVATE KEY-----", StringComparison.Ordinal) && !text.AsSpan().TrimStart().StartsWith("<", StringComparison.Ordinal))
            {
                throw Malformed(what);
            }

            throw new SecretStoreException(
                DiagnosticCodes.PrivateKeyWithoutAnchor,
                $"{what} is a private key without a trust anchor (the form before reader secrets); run 'secretstore keys export-reader <keyring>' on the keyring's trusted copy and use its output instead.");
        }

        byte[]? body = null;
        var keys = new List<KeyValuePair<string, RSA>>();
        try
        {
            var fields = PemEncoding.Find(text);
            if (!text.AsSpan()[fields.Label].SequenceEqual(PemLabel) || text.AsSpan(fields.Location.End.Value).Trim().Length != 0 || text.AsSpan(0, fields.Location.Start.Value).Trim().Length != 0)
            {
                throw Malformed(what);
            }

            body = new byte[fields.DecodedDataLength];
            if (!Convert.TryFromBase64String(text[fields.Base64Data], body, out var written) || written != body.Length)
            {
                throw Malformed(what);
            }

            var span = body.AsSpan();
            if (span.Length < 4 + 1 + KeyFingerprint.HashSizeInBytes + 4 || !span[..4].SequenceEqual(Magic) || span[4] != Version)
            {
                throw Malformed(what);
            }

            var anchor = span.Slice(5, KeyFingerprint.HashSizeInBytes).ToArray();
            var rest = span[(5 + KeyFingerprint.HashSizeInBytes)..];
            var count = BinaryPrimitives.ReadUInt32LittleEndian(rest);
            rest = rest[4..];
            if (count is 0 or > MaxKeys)
            {
                throw Malformed(what);
            }

            for (var i = 0; i < count; i++)
            {
                var keyId = StrictUtf8.GetString(ReadPrefixed(ref rest, what));
                var pkcs8 = ReadPrefixed(ref rest, what);
                if (keyId.Length == 0 || keys.Exists(k => string.Equals(k.Key, keyId, StringComparison.Ordinal)))
                {
                    throw Malformed(what);
                }

                var rsa = RSA.Create();
                keys.Add(new(keyId, rsa));
                rsa.ImportPkcs8PrivateKey(pkcs8, out var read);
                if (read != pkcs8.Length)
                {
                    throw Malformed(what);
                }
            }

            if (!rest.IsEmpty)
            {
                throw Malformed(what);
            }

            return new RsaReaderKey(anchor, keys);
        }
        catch (Exception ex) when (ex is not SecretStoreException)
        {
            DisposeAll(keys);

            // The parser's own message could quote input, so only its type is kept.
            throw new SecretStoreException(DiagnosticCodes.InvalidKeyring, $"{what} is not a valid reader secret ({ex.GetType().Name}).");
        }
        catch
        {
            DisposeAll(keys);
            throw;
        }
        finally
        {
            if (body is not null)
            {
                CryptographicOperations.ZeroMemory(body);
            }
        }
    }

    /// <summary>Hands the key of <paramref name="keyId"/> to the caller, who then owns it.</summary>
    public RSA Take(string keyId)
    {
        var index = _keys.FindIndex(k => string.Equals(k.Key, keyId, StringComparison.Ordinal));
        var rsa = _keys[index].Value;
        _keys.RemoveAt(index);
        return rsa;
    }

    public void Dispose() => DisposeAll(_keys);

    public override string ToString() => $"reader secret ({_keys.Count} keys, anchor {AnchorFingerprint}; key material redacted)";

    private static ReadOnlySpan<byte> ReadPrefixed(ref Span<byte> rest, string what)
    {
        if (rest.Length < 4)
        {
            throw Malformed(what);
        }

        var length = BinaryPrimitives.ReadUInt32LittleEndian(rest);
        if (length > (uint)(rest.Length - 4))
        {
            throw Malformed(what);
        }

        var field = rest.Slice(4, (int)length);
        rest = rest[(4 + (int)length)..];
        return field;
    }

    private static void DisposeAll(List<KeyValuePair<string, RSA>> keys)
    {
        foreach (var key in keys)
        {
            key.Value.Dispose();
        }

        keys.Clear();
    }

    private static SecretStoreException Malformed(string what) =>
        new(DiagnosticCodes.InvalidKeyring, $"{what} is not a valid reader secret.");
}
