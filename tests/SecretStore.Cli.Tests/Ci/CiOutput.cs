using SecretStore.Cli.Tests.Infrastructure;

namespace SecretStore.Cli.Tests.Ci;

/// <summary>What a CI run of the tool must look like: mask commands on stderr before anything else, none on stdout.</summary>
public static class CiOutput
{
    public const string GitHubPrefix = "::add-mask::";
    public const string AzurePrefix = "##vso[task.setsecret]";

    /// <summary>
    /// Asserts that stdout holds no mask command, that stderr opens with the mask commands and holds none later,
    /// and that no line of either stream that is not a mask command holds a form of any of the values.
    /// </summary>
    /// <returns>The mask commands, in order.</returns>
    public static IReadOnlyList<string> AssertMasksFirstOnStderr(ProcessResult result, string prefix, params string[] values) =>
        AssertMasksFirstOnStderr(result, prefix, stdoutIsTheValue: false, values);

    /// <summary>The same, for <c>get</c>, whose stdout is the value itself by design (when <paramref name="stdoutIsTheValue"/>).</summary>
    public static IReadOnlyList<string> AssertMasksFirstOnStderr(ProcessResult result, string prefix, bool stdoutIsTheValue, params string[] values)
    {
        var stdout = stdoutIsTheValue ? [] : result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var stderr = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.All(stdout, l => Assert.DoesNotContain(prefix, l, StringComparison.Ordinal));
        var masks = stderr.TakeWhile(l => l.StartsWith(prefix, StringComparison.Ordinal)).ToList();
        Assert.True(masks.Count > 0, "stderr does not open with mask commands:\n" + result);
        Assert.All(stderr.Skip(masks.Count), l => Assert.DoesNotContain(prefix, l, StringComparison.Ordinal));
        foreach (var line in stdout.Concat(stderr.Skip(masks.Count)))
        {
            ValueScanner.AssertNoValue(line, "a line that is not a mask command", values);
        }

        return masks;
    }
}
