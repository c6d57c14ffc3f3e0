using BenchmarkDotNet.Running;
using SecretStore.Benchmarks.Tool;

// Two faces: the BenchmarkDotNet suite (any arguments BenchmarkDotNet takes, e.g. --filter '*' --job dry),
// and the helper commands bench/compare.sh calls (prepare-files, seed-file, seed-dynamodb, chart).
if (args.Length > 0 && ToolCommands.IsCommand(args[0]))
{
    return await ToolCommands.RunAsync(args);
}

var summaries = BenchmarkSwitcher.FromAssembly(typeof(ToolCommands).Assembly).Run(args);

// Timing never fails a run; a benchmark that threw (a failed request-count assertion, a resolver error) does.
return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
