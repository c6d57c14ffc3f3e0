using System.Globalization;
using System.Text.Json;
using SecretStore.Testing.Aws.Kms;

// Usage: SecretStore.KmsFixture.Host [--latency-ms N] [--alias NAME]... [--counts-file PATH]
// Starts KmsFixtureServer on a free loopback port, creates one key per alias, prints the service URL as the
// first line of stdout, and serves until stdin closes or the process is interrupted. On exit it writes the
// per-operation request counters (JSON) to --counts-file, so a caller can check how many calls a peer made.
var latencyMs = 0;
string? countsFile = null;
var aliases = new List<string>();
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--latency-ms" when i + 1 < args.Length:
            latencyMs = int.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--alias" when i + 1 < args.Length:
            aliases.Add(args[++i]);
            break;
        case "--counts-file" when i + 1 < args.Length:
            countsFile = args[++i];
            break;
        default:
            await Console.Error.WriteLineAsync("usage: SecretStore.KmsFixture.Host [--latency-ms N] [--alias NAME]... [--counts-file PATH]");
            return 2;
    }
}

await using var server = await KmsFixtureServer.StartAsync();
foreach (var alias in aliases)
{
    server.CreateKey(alias);
}

server.Latency = TimeSpan.FromMilliseconds(latencyMs);
Console.WriteLine(server.ServiceUrl);
await Console.Out.FlushAsync();

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
using var terminate = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    stop.Cancel();
});

// Stdin reaching its end also stops the host, so a parent that dies never leaves it behind.
var stdinClosed = Task.Run(async () =>
{
    while (await Console.In.ReadLineAsync() is not null)
    {
    }
});
await Task.WhenAny(stdinClosed, Task.Delay(Timeout.Infinite, stop.Token).ContinueWith(_ => { }, TaskScheduler.Default));

if (countsFile is not null)
{
    var counts = new[] { "Decrypt", "GenerateDataKey", "Encrypt", "DescribeKey" }.ToDictionary(op => op, server.RequestCount);
    await File.WriteAllTextAsync(countsFile, JsonSerializer.Serialize(counts));
}

return 0;
