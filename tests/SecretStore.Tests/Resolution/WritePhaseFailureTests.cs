using SecretStore.Resolution;
using static SecretStore.Tests.Resolution.ResolverHarness;

namespace SecretStore.Tests.Resolution;

/// <summary>
/// All or nothing across files when the write phase itself fails (issue 24): analysis and resolution succeeded,
/// then a temp write or a rename fails for the second of three files. No target may end up replaced, no temp file
/// (resolved values) may stay behind, and the error is SSB1015.
/// </summary>
public sealed class WritePhaseFailureTests : IDisposable
{
    // 230 characters fit a file name (NAME_MAX 255); its temp name ('.' + name + '.' + 32 hex + ".tmp") does not.
    private static readonly string LongName = new string('n', 225) + ".json";
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Temp_write_failing_for_the_second_of_three_files_replaces_no_target_and_leaves_no_temp()
    {
        var files = new[] { _folder.Write("a.json", "{\"a\": \"#{secret:Db}\"}"), _folder.Write(LongName, "{\"b\": \"#{secret:Db}\"}"), _folder.Write("c.json", "{\"c\": \"#{secret:Db}\"}") };
        var before = files.Select(File.ReadAllBytes).ToList();

        var result = await RunAsync(new InMemorySecretStore().With(App, "Db", "value"), files);

        var error = SingleError(result);
        Assert.Equal(("SSB1015", files[1]), (error.Code.Id, error.FilePath));
        Assert.Equal(0, result.FilesWritten);
        Assert.Equal(before, files.Select(File.ReadAllBytes).ToList());
        Assert.Empty(Directory.GetFiles(_folder.Path, ".*.tmp"));
        Assert.Equal(files.Select(Path.GetFileName).Order(StringComparer.Ordinal), Directory.GetFileSystemEntries(_folder.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Rename_failing_for_the_second_of_three_files_restores_the_first_and_leaves_no_temp()
    {
        var files = new[] { _folder.Write("a.json", "{\"a\": \"#{secret:Db}\"}"), _folder.Write("b.json", "{\"b\": \"#{secret:Db}\"}"), _folder.Write("c.json", "{\"c\": \"#{secret:Db}\"}") };
        var before = files.Select(File.ReadAllBytes).ToList();
        var modeBefore = OperatingSystem.IsWindows() ? default : File.GetUnixFileMode(files[0]);

        // Between analysis and commit, b.json becomes a non-empty folder: rename(2) of a file over it fails (EISDIR).
        var probe = new WritePhaseProbe
        {
            Committing = (target, replaced) =>
            {
                if (target == files[1])
                {
                    Assert.Equal(1, replaced);
                    File.Delete(target);
                    Directory.CreateDirectory(target);
                    File.WriteAllText(Path.Combine(target, "keep.txt"), "keep");
                }
            },
        };
        var result = await RunAsync(new InMemorySecretStore().With(App, "Db", "value"), files, configure: r => new() { Files = r.Files, DefaultApplication = App, Probe = probe });

        var error = SingleError(result);
        Assert.Equal(("SSB1015", files[1]), (error.Code.Id, error.FilePath));
        Assert.Equal(0, result.FilesWritten);
        Assert.Equal(before[0], File.ReadAllBytes(files[0]));
        Assert.Equal(before[2], File.ReadAllBytes(files[2]));
        Assert.Equal("keep", File.ReadAllText(Path.Combine(files[1], "keep.txt")));
        Assert.Empty(Directory.GetFiles(_folder.Path, ".*.tmp"));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(modeBefore, File.GetUnixFileMode(files[0]));
        }
    }
}
