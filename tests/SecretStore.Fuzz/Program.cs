using SecretStore.Fuzz.Targets;
using SharpFuzz;

namespace SecretStore.Fuzz;

/// <summary>
/// AFL++ entry point: <c>afl-fuzz -i corpus -o findings -- dotnet SecretStore.Fuzz.dll &lt;target&gt;</c> after
/// instrumenting SecretStore.dll with <c>sharpfuzz</c> (see docs/security.md). With <c>replay &lt;target&gt; &lt;file&gt;</c>
/// it runs one input without AFL (to reproduce a crash); with <c>mutate &lt;target&gt; [rounds] [seed]</c> it fuzzes without
/// AFL (<see cref="Mutation.MutationFuzzer"/>), writing crashes into the target's corpus folder.
/// </summary>
internal static class Program
{
    public static int Main(string[] args)
    {
        var target = args switch
        {
            [var only] => only,
            ["replay", var named, _] => named,
            ["mutate", var named, ..] => named,
            _ => null,
        };
        if (target is null || !FuzzTargets.Names.Contains(target))
        {
            Console.Error.WriteLine($"usage: SecretStore.Fuzz <{string.Join('|', FuzzTargets.Names)}>  |  replay <target> <file>  |  mutate <target> [rounds=10000] [seed=1]");
            return 2;
        }

        using var targets = new FuzzTargets();
        if (args is ["replay", _, var file])
        {
            Run(targets, target, File.ReadAllBytes(file));
            return 0;
        }

        if (args is ["mutate", _, .. var rest])
        {
            var rounds = rest.Length > 0 ? int.Parse(rest[0], System.Globalization.CultureInfo.InvariantCulture) : 10_000;
            var seed = rest.Length > 1 ? int.Parse(rest[1], System.Globalization.CultureInfo.InvariantCulture) : 1;
            var corpus = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "SecretStore.Tests", "FuzzCorpus", target);
            corpus = Environment.GetEnvironmentVariable("SECRETSTORE_FUZZ_CORPUS") ?? Path.GetFullPath(corpus);
            return Mutation.MutationFuzzer.Run(targets, target, corpus, rounds, seed, Console.Out) == 0 ? 0 : 1;
        }

        // AFL's callback is synchronous; each input runs to completion before the next, so blocking here is the model.
        Fuzzer.OutOfProcess.Run(stream =>
        {
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            Run(targets, target, buffer.ToArray());
        });
        return 0;
    }

    private static void Run(FuzzTargets targets, string target, byte[] input) =>
        targets.RunAsync(target, input).GetAwaiter().GetResult();
}
