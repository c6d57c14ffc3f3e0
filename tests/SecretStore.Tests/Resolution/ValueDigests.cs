using System.Security.Cryptography;
using System.Text;

namespace SecretStore.Tests.Resolution;

/// <summary>
/// Every unkeyed digest form a report could leak a value in (issue 12 item 3): SHA-256, SHA-1 and MD5 of its UTF-8
/// and UTF-16 bytes, as lower- and upper-case hex and as base64.
/// </summary>
internal static class ValueDigests
{
    public static IEnumerable<string> Of(string value)
    {
        foreach (var bytes in new[] { Encoding.UTF8.GetBytes(value), Encoding.Unicode.GetBytes(value) })
        {
            foreach (var digest in new[] { SHA256.HashData(bytes), SHA1.HashData(bytes), MD5.HashData(bytes) })
            {
                yield return Convert.ToHexStringLower(digest);
                yield return Convert.ToHexString(digest);
                yield return Convert.ToBase64String(digest);
            }
        }
    }
}
