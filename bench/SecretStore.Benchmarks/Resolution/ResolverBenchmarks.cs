using System.Text;
using BenchmarkDotNet.Attributes;
using SecretStore.Benchmarks.Support;
using SecretStore.Resolution;

namespace SecretStore.Benchmarks.Resolution;

/// <summary>
/// The resolver on one 50 KB file (appsettings.json, web.config or a Helm values.yaml) with 100 placeholders or none, against
/// merely reading the file. Values come from <see cref="PlainSecretStore"/> so only the resolver is measured.
/// <c>Resolve</c> with placeholders first puts the original file back (the run rewrote it); the
/// <c>RestoreOnly</c> case measures that write alone so it can be subtracted.
/// </summary>
[MemoryDiagnoser]
public class ResolverBenchmarks
{
    /// <summary>The size of each generated file.</summary>
    public const int FileBytes = 50 * 1024;

    private string _folder = null!;
    private string _path = null!;
    private byte[] _original = null!;
    private SecretResolver _resolver = null!;
    private ResolveRequest _resolve = null!;
    private ResolveRequest _verify = null!;

    /// <summary>The file kind.</summary>
    [Params("appsettings.json", "web.config", "values.yaml")]
    public string File { get; set; } = "appsettings.json";

    /// <summary>Placeholders in the file.</summary>
    [Params(0, 100)]
    public int Placeholders { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var secrets = Workload.Secrets(100);
        var names = Enumerable.Range(0, Placeholders).Select(i => secrets[i % secrets.Count].Name).ToList();
        var text = File switch
        {
            _ when File.EndsWith(".json", StringComparison.Ordinal) => Workload.Json(FileBytes, names, Workload.TokenStyle.SecretStore),
            _ when File.EndsWith(".yaml", StringComparison.Ordinal) => Workload.Yaml(FileBytes, names, Workload.TokenStyle.SecretStore),
            _ => Workload.Xml(FileBytes, names, Workload.TokenStyle.SecretStore),
        };
        _original = Encoding.UTF8.GetBytes(text);
        _folder = Directory.CreateTempSubdirectory("secretstore-bench-resolver-").FullName;
        _path = Path.Combine(_folder, File);
        System.IO.File.WriteAllBytes(_path, _original);
        _resolver = new SecretResolver(new PlainSecretStore(secrets));
        _resolve = new ResolveRequest { Files = [_path], DefaultApplication = Workload.Application, Mode = ResolveMode.Resolve };
        _verify = new ResolveRequest { Files = [_path], DefaultApplication = Workload.Application, Mode = ResolveMode.Verify };
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_folder, recursive: true);

    [Benchmark(Baseline = true)]
    public Task<byte[]> ReadOnly() => System.IO.File.ReadAllBytesAsync(_path);

    [Benchmark]
    public async Task<int> Verify()
    {
        var result = await _resolver.ResolveAsync(_verify);
        return Check(result, written: 0);
    }

    [Benchmark]
    public async Task<int> Resolve()
    {
        if (Placeholders > 0)
        {
            await System.IO.File.WriteAllBytesAsync(_path, _original);
        }

        var result = await _resolver.ResolveAsync(_resolve);
        return Check(result, written: Placeholders > 0 ? 1 : 0);
    }

    [Benchmark]
    public Task RestoreOnly() => System.IO.File.WriteAllBytesAsync(_path, _original);

    private int Check(ResolveResult result, int written)
    {
        // A benchmark of a failing run would measure the wrong thing: fail loudly instead.
        if (!result.Succeeded || result.PlaceholderCount != Placeholders || result.FilesWritten != written)
        {
            throw new InvalidOperationException(
                $"Resolver run on {File} did not do the expected work: {result.PlaceholderCount} placeholders, {result.FilesWritten} written, {string.Join("; ", result.Diagnostics.Select(d => d.Code))}");
        }

        return result.PlaceholderCount;
    }
}
