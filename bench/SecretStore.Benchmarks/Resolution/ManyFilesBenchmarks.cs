using System.Text;
using BenchmarkDotNet.Attributes;
using SecretStore.Benchmarks.Support;
using SecretStore.Resolution;

namespace SecretStore.Benchmarks.Resolution;

/// <summary>
/// 1000 placeholders in 100 files (50 JSON, 50 XML, 4 KB each, 100 distinct secrets) in one resolver run,
/// in verify mode (everything but the write), for time and allocations. The peak working set of the same
/// work as a whole process is measured by bench/compare.sh.
/// </summary>
[MemoryDiagnoser]
public class ManyFilesBenchmarks
{
    private string _folder = null!;
    private SecretResolver _resolver = null!;
    private ResolveRequest _verify = null!;

    [GlobalSetup]
    public void Setup()
    {
        var secrets = Workload.Secrets(100);
        _folder = Directory.CreateTempSubdirectory("secretstore-bench-many-").FullName;
        var files = new List<string>();
        for (var f = 0; f < 100; f++)
        {
            var names = Enumerable.Range(0, 10).Select(j => secrets[((f * 10) + j) % 100].Name).ToList();
            var json = f % 2 == 0;
            var path = Path.Combine(_folder, json ? $"app{f:D3}.json" : $"app{f:D3}.config");
            File.WriteAllText(path, json ? Workload.Json(4096, names, Workload.TokenStyle.SecretStore) : Workload.Xml(4096, names, Workload.TokenStyle.SecretStore), Encoding.UTF8);
            files.Add(path);
        }

        _resolver = new SecretResolver(new PlainSecretStore(secrets));
        _verify = new ResolveRequest { Files = files, DefaultApplication = Workload.Application, Mode = ResolveMode.Verify };
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_folder, recursive: true);

    [Benchmark]
    public async Task<int> Verify100Files()
    {
        var result = await _resolver.ResolveAsync(_verify);
        return result.Succeeded && result.PlaceholderCount == 1000
            ? result.PlaceholderCount
            : throw new InvalidOperationException($"Resolver run over 100 files did not do the expected work: {result.PlaceholderCount} placeholders, {string.Join("; ", result.Diagnostics.Select(d => d.Code))}");
    }
}
