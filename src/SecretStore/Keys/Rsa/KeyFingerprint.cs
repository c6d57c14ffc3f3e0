using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace SecretStore.Keys.Rsa;

/// <summary>
/// The fingerprint of an RSA key: <c>sha256:</c> and the lower-case hex SHA-256 of its SubjectPublicKeyInfo (DER).
/// The signing key's fingerprint is the reader's trust anchor and the v2 envelope's signing key id.
/// </summary>
internal static partial class KeyFingerprint
{
    public const string Prefix = "sha256:";

    public const int HashSizeInBytes = SHA256.HashSizeInBytes;

    public static string Of(ReadOnlySpan<byte> subjectPublicKeyInfo) => Format(SHA256.HashData(subjectPublicKeyInfo));

    public static byte[] HashOf(ReadOnlySpan<byte> subjectPublicKeyInfo) => SHA256.HashData(subjectPublicKeyInfo);

    public static string Format(ReadOnlySpan<byte> hash) => Prefix + Convert.ToHexStringLower(hash);

    /// <summary>
    /// A fingerprint read from a record is attacker-controlled text: it is only ever printed when it has exactly
    /// the shape of a fingerprint, so it cannot carry control characters or workflow commands into a log.
    /// </summary>
    public static string Describe(string? fingerprint) =>
        fingerprint is not null && Shape().IsMatch(fingerprint) ? fingerprint : "an unrecognised signing key id";

    // \z, not $: in .NET '$' also matches before a final '\n', which would let a record's id end a log line.
    [GeneratedRegex(@"^sha256:[0-9a-f]{64}\z", RegexOptions.CultureInvariant)]
    private static partial Regex Shape();
}
