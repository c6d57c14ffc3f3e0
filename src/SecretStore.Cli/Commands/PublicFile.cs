using System.Text;

namespace SecretStore.Cli.Commands;

/// <summary>
/// Writes a new file meant to be committed (<c>secretstore.json</c>, a <c>.gitignore</c>) as 644 whatever the umask,
/// like the keyring's public files. Under umask 000 a plain write gives 666, and then any local user could drop
/// <c>*.private.pem</c> from the <c>.gitignore</c> (the owner's next <c>git add .</c> stages the private keys) or
/// make the settings file world-writable, which every later command refuses (SSB1021). Red team, security.md RT.11.
/// </summary>
internal static class PublicFile
{
    private const UnixFileMode Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    /// <summary>Creates <paramref name="path"/> with <paramref name="text"/> (UTF-8, no BOM); fails when it exists.</summary>
    public static void Create(string path, string text)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            // Created with at most 644, then set exactly: the umask may only have taken bits away.
            options.UnixCreateMode = Mode;
        }

        using (var stream = new FileStream(path, options))
        {
            stream.Write(new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(text));
        }

        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, Mode);
        }
    }
}
