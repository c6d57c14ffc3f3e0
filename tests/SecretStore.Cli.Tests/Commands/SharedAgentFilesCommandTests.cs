using SecretStore.Cli.Tests.Infrastructure;

namespace SecretStore.Cli.Tests.Commands;

/// <summary>Issue 23 section 4 through the real tool: files another user of a shared build agent can plant.</summary>
public sealed class SharedAgentFilesCommandTests : IDisposable
{
    private readonly FileStoreSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public async Task Set_with_a_dangling_link_at_the_lock_path_is_refused_with_SSB2015_and_does_not_create_its_destination()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var destination = _sandbox.Folder.Combine("elsewhere", "created-by-the-writer");
        Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
        File.CreateSymbolicLink(_sandbox.StorePath + ".lock", destination);

        var set = await _sandbox.RunWithInputAsync("value-7f31", "set", "shop/Db");

        Assert.Equal(1, set.ExitCode);
        Assert.Contains("error SSB2015", set.Stderr, StringComparison.Ordinal);
        Assert.Contains(_sandbox.StorePath + ".lock", set.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(destination), "the link's destination was created");
        Assert.False(File.Exists(_sandbox.StorePath), "the store was written");
        Assert.DoesNotContain("value-7f31", set.Stderr + set.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Set_with_a_link_to_an_existing_file_at_the_lock_path_is_refused_with_SSB2015_and_leaves_both_alone()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        await _sandbox.SetAsync("shop/Db", "first-8a02");
        var before = File.ReadAllBytes(_sandbox.StorePath);
        var victim = _sandbox.Folder.Combine("victim.txt");
        File.WriteAllText(victim, "keep");
        File.Delete(_sandbox.StorePath + ".lock");
        File.CreateSymbolicLink(_sandbox.StorePath + ".lock", victim);

        var set = await _sandbox.RunWithInputAsync("second-8a02", "set", "shop/Db");

        Assert.Equal(1, set.ExitCode);
        Assert.Contains("error SSB2015", set.Stderr, StringComparison.Ordinal);
        Assert.Equal("keep", File.ReadAllText(victim));
        Assert.Equal(before, File.ReadAllBytes(_sandbox.StorePath));
    }

    [Fact]
    public async Task Set_with_a_folder_at_the_lock_path_is_refused_with_SSB2015()
    {
        Directory.CreateDirectory(_sandbox.StorePath + ".lock");

        var set = await _sandbox.RunWithInputAsync("value-19c4", "set", "shop/Db");

        Assert.Equal(1, set.ExitCode);
        Assert.Contains("error SSB2015", set.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(_sandbox.StorePath));
    }

    [Fact]
    public async Task Set_with_a_hard_link_to_another_file_at_the_lock_path_is_refused_with_SSB2015_and_the_files_mode_is_kept()
    {
        // Red team (RT.16): a hard link is a regular file, so it was taken as the lock, and narrowing the lock's mode
        // (RT.9) turned the other file 600.
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        await _sandbox.SetAsync("shop/Db", "first-4d1b");
        var before = File.ReadAllBytes(_sandbox.StorePath);
        var victim = _sandbox.Folder.Combine("victim.txt");
        File.WriteAllText(victim, "keep");
        File.SetUnixFileMode(victim, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        File.Delete(_sandbox.StorePath + ".lock");
        var link = await CliProcess.RunProcessAsync("ln", [victim, _sandbox.StorePath + ".lock"], _sandbox.Folder.Path);
        Assert.True(link.ExitCode == 0, link.ToString());

        var set = await _sandbox.RunWithInputAsync("second-4d1b", "set", "shop/Db");

        Assert.Equal(1, set.ExitCode);
        Assert.Contains("error SSB2015", set.Stderr, StringComparison.Ordinal);
        Assert.Contains("has 2 hard links", set.Stderr, StringComparison.Ordinal);
        Assert.Equal("keep", File.ReadAllText(victim));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(victim));
        Assert.Equal(before, File.ReadAllBytes(_sandbox.StorePath));
    }
}
