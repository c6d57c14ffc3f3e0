using SecretStore.Configuration.Settings;
using SecretStore.Diagnostics;

namespace SecretStore.Tests.Configuration.Settings;

/// <summary>
/// Attacks by another local user: a <c>secretstore.json</c> planted above a project (found by walking up) or made
/// writable for everyone would choose where secrets come from and which keys and endpoints are trusted.
/// </summary>
public sealed class SettingsFileTrustTests : IDisposable
{
    private const string Planted = """{ "storage": "file:/tmp/attacker/secrets.json", "protection": "rsa:/tmp/attacker/keyring", "allowV1": true }""";

    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void A_settings_file_writable_by_every_user_is_refused_with_SSB1021_naming_it_and_the_fix()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var path = _folder.Combine(SettingsFile.FileName);
        File.WriteAllText(path, Planted);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead | UnixFileMode.OtherWrite);

        var error = Assert.Throws<SecretStoreException>(() => SettingsFileReader.FindAndRead(_folder.Path));

        var diagnostic = Assert.Single(error.Diagnostics);
        Assert.Equal((DiagnosticCodes.InvalidSettingsFile, path), (diagnostic.Code, diagnostic.FilePath));
        Assert.Equal("The settings file is writable by every user (mode o+w): any of them could choose where secrets are read from. Fix: remove that right (chmod o-w).", diagnostic.Message);
    }

    [Fact]
    public void A_group_writable_settings_file_is_read_as_with_a_umask_of_002()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var path = _folder.Combine(SettingsFile.FileName);
        File.WriteAllText(path, """{ "storage": "file:secrets.json", "protection": "kms" }""");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead);

        Assert.Equal("file:secrets.json", SettingsFileReader.FindAndRead(_folder.Path)!.Shared.Storage);
    }

    [Fact]
    public void A_settings_file_planted_above_the_project_by_another_user_is_refused_not_skipped()
    {
        // Changing a file's owner needs root; the suite runs as root here (elsewhere this test has nothing to show).
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
        {
            return;
        }

        var planted = _folder.Combine(SettingsFile.FileName);
        File.WriteAllText(planted, Planted);
        File.SetUnixFileMode(planted, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        Chown(planted, 12345);
        var project = Directory.CreateDirectory(_folder.Combine("work", "Shop")).FullName;

        var error = Assert.Throws<SecretStoreException>(() => SettingsFileReader.FindAndRead(project));

        var diagnostic = Assert.Single(error.Diagnostics);
        Assert.Equal((DiagnosticCodes.InvalidSettingsFile, planted), (diagnostic.Code, diagnostic.FilePath));
        Assert.StartsWith("The settings file is owned by user 12345, not by the current user (0) or root:", diagnostic.Message, StringComparison.Ordinal);
    }

    private static void Chown(string path, int uid)
    {
        using var process = System.Diagnostics.Process.Start("chown", [uid.ToString(System.Globalization.CultureInfo.InvariantCulture), path])!;
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
    }
}
