using System.Globalization;
using System.Text;
using System.Text.Json;
using SecretStore.Aws;
using SecretStore.Aws.DynamoDb;
using SecretStore.Benchmarks.Support;
using SecretStore.Configuration;
using SecretStore.Secrets;

namespace SecretStore.Benchmarks.Tool;

/// <summary>The helper commands of bench/compare.sh: inputs for the peer comparisons, seeding, the chart.</summary>
public static class ToolCommands
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>True when <paramref name="name"/> is one of the helper commands.</summary>
    public static bool IsCommand(string name) => name is "prepare-files" or "seed-file" or "seed-dynamodb" or "chart" or "phases";

    /// <summary>Runs a helper command; returns the exit code (2 for a usage error).</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        try
        {
            switch (args[0])
            {
                case "prepare-files" when args.Length >= 2:
                    PrepareFiles(args[1], Option(args, "--files", 100), Option(args, "--per-file", 10), Option(args, "--secrets", 100), Option(args, "--bytes", 4096));
                    return 0;
                case "seed-file" when args.Length == 3:
                    await SeedFileAsync(args[1], args[2]);
                    return 0;
                case "seed-dynamodb" when args.Length == 6:
                    await SeedDynamoDbAsync(serviceUrl: args[1], kmsServiceUrl: args[2], table: args[3], keyId: args[4], valuesFile: args[5]);
                    return 0;
                case "phases" when args.Length is 3 or 4:
                    await Phases.RunAsync(args[1], args[2], args.Length == 4 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 0);
                    return 0;
                case "chart" when args.Length == 3:
                    Chart.Write(args[1], args[2]);
                    return 0;
                default:
                    await Console.Error.WriteLineAsync("""
                        usage: prepare-files <dir> [--files 100] [--per-file 10] [--secrets 100] [--bytes 4096]
                               seed-file <store-dir> <values.json>
                               seed-dynamodb <dynamodb-url> <kms-url> <table> <kms-key-id> <values.json>
                               chart <results.tsv> <out.svg>
                               phases <files-dir> <store-dir> [resolver-loops]
                        """);
                    return 2;
            }
        }
        catch (SecretStore.Diagnostics.SecretStoreException ex)
        {
            await Console.Error.WriteLineAsync($"error {ex.Code}: {ex.Message}");
            return 1;
        }
    }

    /// <summary>
    /// Writes the token-replacement workload: <c>ours/</c> with <c>#{secret:Name}</c>, <c>theirs/</c> with
    /// <c>#{Name}#</c> (the same files otherwise), <c>values.json</c> (name to value) and <c>expected.json</c>
    /// (file to key to secret name) for the output check. Half the files are JSON, half XML (.config).
    /// </summary>
    private static void PrepareFiles(string dir, int files, int perFile, int secretCount, int bytes)
    {
        var secrets = Workload.Secrets(secretCount);
        var expected = new SortedDictionary<string, SortedDictionary<string, string>>(StringComparer.Ordinal);
        foreach (var style in new[] { Workload.TokenStyle.SecretStore, Workload.TokenStyle.ReplaceTokens })
        {
            var folder = Path.Combine(dir, style == Workload.TokenStyle.SecretStore ? "ours" : "theirs");
            Directory.CreateDirectory(folder);
            for (var f = 0; f < files; f++)
            {
                var names = Enumerable.Range(0, perFile).Select(j => secrets[((f * perFile) + j) % secretCount].Name).ToList();
                var json = f % 2 == 0;
                var file = string.Create(CultureInfo.InvariantCulture, $"app{f:D3}{(json ? ".json" : ".config")}");
                var text = json ? Workload.Json(bytes, names, style) : Workload.Xml(bytes, names, style);
                File.WriteAllText(Path.Combine(folder, file), text, new UTF8Encoding(false));
                var keys = new SortedDictionary<string, string>(StringComparer.Ordinal);
                for (var j = 0; j < names.Count; j++)
                {
                    keys[string.Create(CultureInfo.InvariantCulture, $"Key{j}")] = names[j];
                }

                expected[file] = keys;
            }
        }

        File.WriteAllText(Path.Combine(dir, "values.json"), JsonSerializer.Serialize(secrets.ToDictionary(s => s.Name, s => s.Value), Indented));
        File.WriteAllText(Path.Combine(dir, "expected.json"), JsonSerializer.Serialize(expected, Indented));
    }

    private static async Task SeedFileAsync(string storeDir, string valuesFile)
    {
        var keyring = Path.Combine(storeDir, "keyring");
        Keys.Rsa.RsaKeyring.Create(keyring, BenchData.KeyId, 3072).Dispose();
        var settings = new StoreSettings { FilePath = Path.Combine(storeDir, "secrets.json"), KeyringPath = keyring };
        await BenchData.SeedAsync(settings, ReadValues(valuesFile));
    }

    private static async Task SeedDynamoDbAsync(string serviceUrl, string kmsServiceUrl, string table, string keyId, string valuesFile)
    {
        using var store = SecretStoreFactory.Default.Open(new StoreSettings
        {
            Storage = StorageKind.DynamoDb, Protection = ProtectionKind.Kms,
            Table = table,
            ServiceUrl = serviceUrl,
            KmsServiceUrl = kmsServiceUrl,
            KeyId = keyId,
        });
        await ((DynamoDbSecretRepository)store.Repository).CreateTableAsync();
        await Parallel.ForEachAsync(
            ReadValues(valuesFile),
            new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (secret, token) => await store.SetAsync(new SecretId(Workload.Application, secret.Name), secret.Value, cancellationToken: token));
    }

    private static List<(string Name, string Value)> ReadValues(string valuesFile) =>
        [.. JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(valuesFile))!.Select(p => (p.Key, p.Value)).OrderBy(p => p.Key, StringComparer.Ordinal)];

    private static int Option(string[] args, string name, int fallback)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
