using SecretStore.Testing.Canaries;

namespace SecretStore.Cli.Tests.Infrastructure;

/// <summary>
/// The CLI tests' face of the shared <see cref="CanaryScanner"/>: output must hold no form of a secret value (raw,
/// JSON- and XML-escaped, URL-encoded, base64, hex, UTF-16, each line of a multi-line value).
/// </summary>
public static class ValueScanner
{
    public static void AssertNoValue(string output, string what, params string[] values)
    {
        var canaries = values.Where(v => v.Length >= CanaryScanner.MinimumLineLength).ToList();
        Assert.True(canaries.Count == values.Length, "A value to look for is shorter than the scanner's minimum; it would match by chance.");
        var hits = new CanaryScanner(canaries).Scan(output, what);
        Assert.True(hits.Count == 0, $"{what} contains a form of a secret value: {string.Join("; ", hits.Select(h => $"canary #{h.Canary} as {h.Form}"))}.");
    }

    public static void AssertNoValue(ProcessResult result, params string[] values)
    {
        AssertNoValue(result.Stdout, "stdout", values);
        AssertNoValue(result.Stderr, "stderr", values);
    }
}
