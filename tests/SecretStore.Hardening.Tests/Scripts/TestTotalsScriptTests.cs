using SecretStore.Hardening.Tests.Support;
using SecretStore.Testing.Processes;

namespace SecretStore.Hardening.Tests.Scripts;

/// <summary>
/// build/test-totals.sh turns the TRX files of a run into the closing line CI reads. A test project that is dropped
/// from the solution, filtered empty or fails discovery writes no TRX (or one with nothing executed): that run must be
/// red, not a smaller green total. These tests feed the real script TRX files shaped like the ones vstest writes.
/// </summary>
public sealed class TestTotalsScriptTests
{
    private static readonly string RepositoryRoot = SecretStore.Testing.RepositoryRoot.Path;

    private static IReadOnlyList<string> TestProjects { get; } =
        [.. Directory.GetDirectories(Path.Combine(RepositoryRoot, "tests"), "*.Tests").Select(Path.GetFileName).Order(StringComparer.Ordinal)!];

    [Fact]
    public async Task Every_test_project_with_executed_tests_gives_the_summed_totals_and_exit_0()
    {
        using var tree = new TempDirectory();
        var index = 0;
        foreach (var project in TestProjects)
        {
            WriteTrx(tree, project, total: 3, executed: 3, passed: 3, failed: 0, index++);
        }

        var (exitCode, stdout, _) = await RunAsync(tree.Path);

        Assert.Equal(0, exitCode);
        Assert.Equal($"{3 * TestProjects.Count} passed, 0 failed, 0 skipped", LastLine(stdout));
    }

    [Fact]
    public async Task A_test_project_without_results_turns_the_run_red_and_is_named()
    {
        Assert.True(TestProjects.Count > 1);
        using var tree = new TempDirectory();
        var dropped = TestProjects[1];
        var index = 0;
        foreach (var project in TestProjects.Where(p => p != dropped))
        {
            WriteTrx(tree, project, total: 2, executed: 2, passed: 2, failed: 0, index++);
        }

        var (exitCode, stdout, stderr) = await RunAsync(tree.Path);

        Assert.Equal(1, exitCode);
        Assert.Contains($"test project {dropped} executed no test", stderr, StringComparison.Ordinal);
        Assert.Equal($"{2 * (TestProjects.Count - 1)} passed, 1 failed, 0 skipped", LastLine(stdout));
    }

    [Fact]
    public async Task A_test_project_whose_tests_were_all_filtered_out_turns_the_run_red()
    {
        using var tree = new TempDirectory();
        var empty = TestProjects[0];
        var index = 0;
        foreach (var project in TestProjects)
        {
            var executed = project == empty ? 0 : 1;
            WriteTrx(tree, project, total: executed, executed: executed, passed: executed, failed: 0, index++);
        }

        var (exitCode, _, stderr) = await RunAsync(tree.Path);

        Assert.Equal(1, exitCode);
        Assert.Contains($"test project {empty} executed no test", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failed_dotnet_test_is_red_even_when_every_trx_counts_zero_failures()
    {
        using var tree = new TempDirectory();
        var index = 0;
        foreach (var project in TestProjects)
        {
            WriteTrx(tree, project, total: 1, executed: 1, passed: 1, failed: 0, index++);
        }

        var (exitCode, stdout, _) = await RunAsync(tree.Path, dotnetTestStatus: "1");

        Assert.Equal(1, exitCode);
        Assert.Equal($"{TestProjects.Count} passed, 1 failed, 0 skipped", LastLine(stdout));
    }

    [Fact]
    public async Task Failed_and_skipped_counts_are_summed_across_projects()
    {
        using var tree = new TempDirectory();
        var index = 0;
        foreach (var project in TestProjects)
        {
            WriteTrx(tree, project, total: 5, executed: 4, passed: 3, failed: 1, index++);
        }

        var (exitCode, stdout, _) = await RunAsync(tree.Path, dotnetTestStatus: "1");

        Assert.Equal(1, exitCode);
        var n = TestProjects.Count;
        Assert.Equal($"{3 * n} passed, {n} failed, {n} skipped", LastLine(stdout));
    }

    private static void WriteTrx(TempDirectory tree, string project, int total, int executed, int passed, int failed, int index)
    {
        // The shape vstest writes: the storage attribute holds the lower-cased test assembly path.
        var storage = Path.Combine(RepositoryRoot, "tests", project, "bin", "Release", "net10.0", project + ".dll").ToLowerInvariant();
        tree.Write($"_vm_2026-12-01_20_00_{index:D2}_net10.0.trx", $"""
            <?xml version="1.0" encoding="utf-8"?>
            <TestRun id="00000000-0000-0000-0000-0000000000{index:D2}" xmlns="http://microsoft.com/schemas/VisualStudio/TeamTest/2010">
              <TestDefinitions>
                <UnitTest name="T" storage="{storage}" id="00000000-0000-0000-0000-000000000001" />
              </TestDefinitions>
              <ResultSummary outcome="Completed">
                <Counters total="{total}" executed="{executed}" passed="{passed}" failed="{failed}" error="0" timeout="0" aborted="0" inconclusive="0" passedButRunAborted="0" notRunnable="0" notExecuted="0" disconnected="0" warning="0" completed="0" inProgress="0" pending="0" />
              </ResultSummary>
            </TestRun>
            """);
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string results, string dotnetTestStatus = "0")
    {
        var (exitCode, stdout, stderr) = await ToolProcess.RunBytesAsync("bash", [Path.Combine(RepositoryRoot, "build", "test-totals.sh"), results, dotnetTestStatus], RepositoryRoot, TimeSpan.FromMinutes(1));
        return (exitCode, System.Text.Encoding.UTF8.GetString(stdout), stderr);
    }

    private static string LastLine(string text) => text.TrimEnd().Split('\n')[^1];
}
