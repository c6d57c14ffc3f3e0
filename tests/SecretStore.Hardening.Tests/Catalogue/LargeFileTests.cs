using System.Diagnostics;
using System.Text;
using SecretStore.Hardening.Tests.Support;
using SecretStore.Keys.Rsa;
using SecretStore.Testing.Repositories;
using SecretStore.Resolution;
using SecretStore.Secrets;
using SecretStore.Stores;
using Xunit.Abstractions;

namespace SecretStore.Hardening.Tests.Catalogue;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LargeFileCollection
{
    public const string Name = "Large files (alone, for memory figures)";
}

/// <summary>
/// 100 MB target files: without a placeholder the resolver reads and leaves them (no write, no layout work worth
/// measuring); with placeholders it rewrites them with memory bounded by a small multiple of the file size (the
/// engine holds a file's bytes, text and output at once: files are not streamed, see docs/security.md).
/// </summary>
[Collection(LargeFileCollection.Name)]
public sealed class LargeFileTests(KeyringFixture fixture, ITestOutputHelper output) : IClassFixture<KeyringFixture>, IDisposable
{
    private const int Size = 100 * 1024 * 1024;
    private const string Value = "large-canary-value-0123456789";
    private readonly TempDirectory _tree = new();

    public void Dispose() => _tree.Dispose();

    [Theory]
    [InlineData("big.txt")]
    [InlineData("big.json")]
    public async Task File_of_100_MB_without_placeholders_is_left_untouched_quickly(string name)
    {
        var path = WriteLarge(name, placeholders: 0);
        var stamp = File.GetLastWriteTimeUtc(path);

        var (result, elapsed, allocated) = await MeasureAsync(path);

        Assert.True(result.Succeeded, string.Join(" | ", result.Diagnostics));
        Assert.Equal(0, result.FilesWritten);
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(path));
        Assert.Equal(Size, new FileInfo(path).Length);
        output.WriteLine($"{name}: {elapsed.TotalMilliseconds:F0} ms, {allocated / (1024 * 1024)} MB allocated");
        Assert.InRange(elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(30));
        Assert.InRange(allocated, 0, 6L * Size);
    }

    [Fact]
    public async Task File_of_100_MB_with_placeholders_is_resolved_with_memory_bounded_by_the_file_size()
    {
        var path = WriteLarge("big.txt", placeholders: 3);

        var (result, elapsed, allocated) = await MeasureAsync(path);

        Assert.True(result.Succeeded, string.Join(" | ", result.Diagnostics));
        Assert.Equal(1, result.FilesWritten);
        var text = File.ReadAllText(path);
        Assert.Equal(3, CountOf(text, Value));
        Assert.Equal(0, CountOf(text, "#{secret:"));
        output.WriteLine($"with placeholders: {elapsed.TotalMilliseconds:F0} ms, {allocated / (1024 * 1024)} MB allocated");
        Assert.InRange(elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(60));
        Assert.InRange(allocated, 0, 12L * Size);
    }

    private async Task<(ResolveResult Result, TimeSpan Elapsed, long Allocated)> MeasureAsync(string path)
    {
        using var keyring = RsaKeyring.Load(fixture.KeyringPath);
        using var store = new EnvelopeSecretStore(new InMemorySecretRepository(), new RsaKeyManager(keyring), new EnvelopeSecretStoreOptions { DefaultKeyId = KeyringFixture.KeyId });
        await store.SetAsync(new SecretId("acme-web", "Db"), Value);
        GC.Collect();
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var watch = Stopwatch.StartNew();
        var result = await new SecretResolver(store).ResolveAsync(new ResolveRequest { Files = [path], DefaultApplication = "acme-web" });
        watch.Stop();
        return (result, watch.Elapsed, GC.GetTotalAllocatedBytes(precise: true) - before);
    }

    private string WriteLarge(string name, int placeholders)
    {
        var path = Path.Combine(_tree.Path, name);
        var json = name.EndsWith(".json", StringComparison.Ordinal);
        using var stream = new FileStream(path, FileMode.CreateNew);
        var line = Encoding.ASCII.GetBytes(json ? "\"0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmno\",\n" : "0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqr\n");
        var head = Encoding.ASCII.GetBytes(json ? "[\n" : string.Empty);
        var tail = Encoding.ASCII.GetBytes(json ? "\"end\"]\n" : string.Empty);
        var placeholder = Encoding.ASCII.GetBytes("k=#{secret:Db}\n");
        stream.Write(head);
        var written = (long)head.Length;
        var budget = Size - tail.Length - (placeholders * placeholder.Length);
        var every = placeholders == 0 ? long.MaxValue : budget / placeholders;
        var next = every / 2;
        var done = 0;
        while (written + line.Length <= budget + (done * placeholder.Length))
        {
            if (done < placeholders && written >= next)
            {
                stream.Write(placeholder);
                written += placeholder.Length;
                done++;
                next += every;
                continue;
            }

            stream.Write(line);
            written += line.Length;
        }

        while (done++ < placeholders)
        {
            stream.Write(placeholder);
            written += placeholder.Length;
        }

        var pad = Size - written - tail.Length;
        stream.Write(Encoding.ASCII.GetBytes(new string(' ', (int)pad)));
        stream.Write(tail);
        return path;
    }

    private static int CountOf(string text, string part)
    {
        var count = 0;
        for (var at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
