using SecretStore.Fuzz.Targets;

namespace SecretStore.Tests.Fuzz;

/// <summary>
/// Replays every input the fuzzers kept (tests/SecretStore.Tests/FuzzCorpus/&lt;target&gt;/) through the same target
/// code AFL runs: bad input must end in a coded SecretStoreException or in diagnostics, never in anything else.
/// </summary>
public sealed class FuzzCorpusReplayTests : IDisposable
{
    private static readonly string CorpusRoot = Path.Combine(AppContext.BaseDirectory, "FuzzCorpus");
    private readonly FuzzTargets _targets = new();

    public static TheoryData<string> Targets() => [.. FuzzTargets.Names];

    [Theory]
    [MemberData(nameof(Targets))]
    public async Task Every_kept_fuzz_input_ends_in_a_coded_error_or_success(string target)
    {
        var inputs = Directory.GetFiles(Path.Combine(CorpusRoot, target)).Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(inputs);

        var failures = new List<string>();
        foreach (var input in inputs)
        {
            try
            {
                await _targets.RunAsync(target, await File.ReadAllBytesAsync(input));
            }
            catch (Exception e)
            {
                failures.Add($"{Path.GetFileName(input)}: {e.GetType().Name}: {e.Message}");
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {inputs.Count} inputs escaped as uncoded exceptions:\n{string.Join("\n", failures)}");
    }

    public void Dispose() => _targets.Dispose();
}
