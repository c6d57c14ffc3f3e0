using SecretStore.Configuration.Settings;
using SecretStore.Tests.Support;

namespace SecretStore.Tests.Configuration.Settings;

/// <summary><see cref="SettingsFileReader.Find"/>: the nearest <c>secretstore.json</c>, walking up like <c>global.json</c>.</summary>
public sealed class SettingsFileDiscoveryTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    private string Folder(params string[] parts)
    {
        var path = _folder.Combine(parts);
        Directory.CreateDirectory(path);
        return path;
    }

    private static string Settings(string folder)
    {
        var path = Path.Combine(folder, SettingsFile.FileName);
        File.WriteAllText(path, "{}");
        return path;
    }

    [Fact]
    public void The_file_in_the_start_folder_is_found()
    {
        var expected = Settings(Folder("repo"));

        Assert.Equal(expected, SettingsFileReader.Find(Folder("repo")));
    }

    [Fact]
    public void The_nearest_file_above_the_start_folder_wins()
    {
        Settings(Folder("repo"));
        var nearest = Settings(Folder("repo", "src"));

        Assert.Equal(nearest, SettingsFileReader.Find(Folder("repo", "src", "Shop", "Properties")));
    }

    [Fact]
    public void A_relative_start_folder_is_taken_from_the_working_directory()
    {
        var expected = Settings(Folder("repo"));
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, Folder("repo", "src"));

        Assert.Equal(expected, SettingsFileReader.Find(relative));
    }

    [Fact]
    public void A_folder_named_like_the_file_is_not_taken_for_it()
    {
        var expected = Settings(Folder("repo"));
        Folder("repo", "src", SettingsFile.FileName);

        Assert.Equal(expected, SettingsFileReader.Find(Folder("repo", "src")));
    }

    [Fact]
    public void No_file_up_to_the_root_is_null_and_FindAndRead_reads_nothing()
    {
        var start = Folder("repo", "src");
        var above = new DirectoryInfo(start).Parent;
        for (; above is not null; above = above.Parent)
        {
            // The test's own premise: nothing above the temp folder holds a settings file.
            Assert.False(File.Exists(Path.Combine(above.FullName, SettingsFile.FileName)), $"{above.FullName} holds a {SettingsFile.FileName}; remove it to run this test.");
        }

        Assert.Null(SettingsFileReader.Find(start));
        Assert.Null(SettingsFileReader.FindAndRead(start));
    }

    [Fact]
    public void FindAndRead_reads_the_nearest_file()
    {
        var path = Settings(Folder("repo"));
        File.WriteAllText(path, """{ "application": "Shop" }""");

        var file = SettingsFileReader.FindAndRead(Folder("repo", "src"));

        Assert.Equal((path, "Shop"), (file!.Path, file.Shared.Application));
    }

    [Fact]
    public void An_empty_start_folder_is_an_argument_error()
    {
        Assert.Equal("startDirectory", Assert.Throws<ArgumentException>(() => SettingsFileReader.Find("")).ParamName);
    }
}
