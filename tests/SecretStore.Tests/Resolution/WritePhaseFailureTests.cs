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
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Temp_write_failing_for_the_second_of_three_files_replaces_no_target_and_leaves_no_temp()
    {
        var files = new[] { _folder.Write("a.json", "{\"a\": \"#{secret:Db}\"}"), _folder.Write(LongName, "{\"b\": \"#{secret:Db}\"}"), _folder.Write("c.json", "{\"c\": \"#{secret:Db}\"}") };
        var before = files.Select(File.ReadAllBytes).ToList();

        var result = await RunAsync(new InMemorySecretStore().With(App, "Db", "value"), files);

        var error = SingleError(result);
        Assert.Equal(("SSB1015", files[1]), (error.Code.Id, error.FilePath));
        Assert.Matches(@"^The resolved file could not be written \(\w+Exception\); no file was changed\.$", error.Message);
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
        Assert.Matches(@"^The resolved file could not be moved into place \(\w+Exception\); the 1 file\(s\) already replaced were restored; no file was changed\.$", error.Message);
        Assert.All(result.Report.Files, f => Assert.False(f.Written));
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

    [Fact]
    public async Task Rename_failing_for_the_first_file_says_no_file_was_changed()
    {
        var files = new[] { _folder.Write("a.json", "{\"a\": \"#{secret:Db}\"}"), _folder.Write("b.json", "{\"b\": \"#{secret:Db}\"}") };
        var before = File.ReadAllBytes(files[1]);
        var probe = new WritePhaseProbe { Committing = (target, _) => BecomeFolder(target, files[0]) };

        var result = await RunAsync(new InMemorySecretStore().With(App, "Db", "value"), files, configure: r => new() { Files = r.Files, DefaultApplication = App, Probe = probe });

        var error = SingleError(result);
        Assert.Equal(("SSB1015", files[0]), (error.Code.Id, error.FilePath));
        Assert.Matches(@"^The resolved file could not be moved into place \(\w+Exception\); no file was changed\.$", error.Message);
        Assert.Equal(0, result.FilesWritten);
        Assert.All(result.Report.Files, f => Assert.False(f.Written));
        Assert.Equal(before, File.ReadAllBytes(files[1]));
        Assert.Empty(Directory.GetFiles(_folder.Path, ".*.tmp"));
    }

    [Fact]
    public async Task A_replaced_file_that_cannot_be_restored_is_counted_and_its_restore_temp_is_removed()
    {
        var files = new[] { _folder.Write("a.json", "{\"a\": \"#{secret:Db}\"}"), _folder.Write("b.json", "{\"b\": \"#{secret:Db}\"}") };

        // At b.json's rename both a.json (already replaced) and b.json become non-empty folders: b's rename and a's restore fail.
        var probe = new WritePhaseProbe
        {
            Committing = (target, _) =>
            {
                BecomeFolder(target, files[1]);
                BecomeFolder(files[0], target == files[1] ? files[0] : string.Empty);
            },
        };
        var result = await RunAsync(new InMemorySecretStore().With(App, "Db", "value"), files, configure: r => new() { Files = r.Files, DefaultApplication = App, Probe = probe });

        var error = SingleError(result);
        Assert.Equal(("SSB1015", files[1]), (error.Code.Id, error.FilePath));
        Assert.Matches(@"^The resolved file could not be moved into place \(\w+Exception\); 1 of the 1 file\(s\) already replaced could not be restored\.$", error.Message);
        Assert.Equal(1, result.FilesWritten);
        Assert.Empty(Directory.GetFiles(_folder.Path, ".*.tmp"));
    }

    [Fact]
    public async Task The_temp_written_probe_sees_each_changed_file_with_the_running_count()
    {
        var files = new[] { _folder.Write("a.json", "{\"a\": \"#{secret:Db}\"}"), _folder.Write("plain.txt", "no placeholder"), _folder.Write("c.json", "{\"c\": \"#{secret:Db}\"}") };
        var seen = new List<(string, int)>();
        var probe = new WritePhaseProbe { TempWritten = (target, count) => seen.Add((target, count)) };

        var result = await RunAsync(new InMemorySecretStore().With(App, "Db", "value"), files, configure: r => new() { Files = r.Files, DefaultApplication = App, Probe = probe });

        AssertSucceeded(result);
        Assert.Equal([(files[0], 1), (files[2], 2)], seen);
        Assert.Equal(2, result.FilesWritten);
    }

    [Fact]
    public async Task A_successful_resolve_removes_only_the_stale_temps_of_its_listed_files()
    {
        const string Hex = "0123456789abcdef0123456789abcdef";
        var files = new[] { _folder.Write("a.json", "{\"a\": \"#{secret:Db}\"}"), _folder.Write("plain.txt", "no placeholder") };
        var stale = new[] { _folder.Write($".a.json.{Hex}.tmp", "old value"), _folder.Write($".plain.txt.{Hex}.tmp", "old value") };
        var kept = new[]
        {
            _folder.Write($".a.json.{Hex.ToUpperInvariant()}.tmp", "x"),
            _folder.Write($".a.json.{Hex[1..]}.tmp", "x"),
            _folder.Write($".a.json.g{Hex[1..]}.tmp", "x"),
            _folder.Write($".other.json.{Hex}.tmp", "x"),
        };

        var result = await RunAsync(new InMemorySecretStore().With(App, "Db", "value"), files);

        AssertSucceeded(result);
        Assert.All(stale, p => Assert.False(File.Exists(p), p));
        Assert.All(kept, p => Assert.True(File.Exists(p), p));
    }

    [Fact]
    public async Task A_report_that_cannot_be_moved_into_place_is_SSB1015_and_leaves_no_temp()
    {
        var file = _folder.Write("a.json", "{\"a\": \"#{secret:Db}\"}");
        var report = _folder.Combine("report.json");
        BecomeFolder(report, report);

        var result = await RunAsync(new InMemorySecretStore().With(App, "Db", "value"), [file], configure: r => new() { Files = r.Files, DefaultApplication = App, ReportPath = report });

        var error = SingleError(result);
        Assert.Equal(("SSB1015", report), (error.Code.Id, error.FilePath));
        Assert.Matches(@"^The report could not be written \(\w+Exception\)\.$", error.Message);
        Assert.Empty(Directory.GetFiles(_folder.Path, ".*.tmp"));
    }

    [Fact]
    public async Task A_resolved_file_or_report_with_a_posix_acl_is_SSB1020_naming_it()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var file = _folder.Write("a.json", "{\"a\": \"#{secret:Db}\"}");
        var before = File.ReadAllBytes(file);
        var report = _folder.Write("report.json", "{}");
        if (!AtomicFileWriterMetadataTests.TrySetAcl(file) || !AtomicFileWriterMetadataTests.TrySetAcl(report))
        {
            return; // No POSIX ACLs on the temp folder's filesystem.
        }

        var result = await RunAsync(new InMemorySecretStore().With(App, "Db", "value"), [file], configure: r => new() { Files = r.Files, DefaultApplication = App, ReportPath = report });

        var errors = result.Diagnostics.Where(d => d.Severity == SecretStore.Diagnostics.DiagnosticSeverity.Error).ToList();
        Assert.Equal([("SSB1020", file), ("SSB1020", report)], errors.Select(e => (e.Code.Id, e.FilePath)));
        Assert.StartsWith($"'{file}' has a POSIX ACL", errors[0].Message, StringComparison.Ordinal);
        Assert.StartsWith($"'{report}' has a POSIX ACL", errors[1].Message, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(file));
        Assert.Equal("{}", File.ReadAllText(report));
        Assert.Empty(Directory.GetFiles(_folder.Path, ".*.tmp"));
    }

    /// <summary>When <paramref name="target"/> is <paramref name="which"/>, replaces it by a non-empty folder, over which no file can be renamed.</summary>
    private static void BecomeFolder(string target, string which)
    {
        if (target != which || Directory.Exists(target))
        {
            return;
        }

        File.Delete(target);
        Directory.CreateDirectory(target);
        File.WriteAllText(Path.Combine(target, "keep.txt"), "keep");
    }
}
