using System.Text;
using SecretStore.Diagnostics;
using SecretStore.Keys.Rsa;
using SecretStore.Tests.Support;

namespace SecretStore.Tests.Keys;

public sealed class KeyFilesTests
{
    private const UnixFileMode Mode644 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private const UnixFileMode Mode600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode Mode700 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    [Fact]
    public void Resolve_refuses_an_absolute_path_with_its_own_message()
    {
        using var temp = new TempDirectory();
        var ex = Assert.Throws<SecretStoreException>(() => KeyFiles.Resolve(temp.Path, "/etc/passwd"));
        Assert.Equal("SSB3007", ex.Code.Id);
        Assert.Equal($"SSB3007: Keyring path '/etc/passwd' is absolute; paths must be relative to '{temp.Path}'.", ex.Message);
    }

    [Fact]
    public void Resolve_refuses_a_path_that_climbs_out_of_the_folder()
    {
        using var temp = new TempDirectory();
        var root = temp.Combine("k");
        Directory.CreateDirectory(root);
        var ex = Assert.Throws<SecretStoreException>(() => KeyFiles.Resolve(root, "../outside/key.pem"));
        Assert.Equal("SSB3007", ex.Code.Id);
        Assert.Equal($"SSB3007: Keyring path '../outside/key.pem' leaves the keyring folder '{root}'.", ex.Message);
    }

    [Fact]
    public void Resolve_refuses_a_link_with_an_absolute_target_outside_the_folder()
    {
        using var temp = new TempDirectory();
        var root = temp.Combine("k");
        Directory.CreateDirectory(root);
        Directory.CreateDirectory(temp.Combine("outside"));
        Directory.CreateSymbolicLink(Path.Combine(root, "d"), temp.Combine("outside"));

        var ex = Assert.Throws<SecretStoreException>(() => KeyFiles.Resolve(root, "d/key.pem"));
        Assert.Equal("SSB3007", ex.Code.Id);
        Assert.Equal($"SSB3007: Keyring path 'd/key.pem' goes through a symbolic link that leaves the keyring folder '{root}'.", ex.Message);
    }

    [Fact]
    public void Resolve_refuses_a_link_with_a_relative_target_that_climbs_out()
    {
        using var temp = new TempDirectory();
        var root = temp.Combine("k");
        Directory.CreateDirectory(root);
        Directory.CreateDirectory(temp.Combine("outside"));
        Directory.CreateSymbolicLink(Path.Combine(root, "d"), "./../outside");

        var ex = Assert.Throws<SecretStoreException>(() => KeyFiles.Resolve(root, "d/key.pem"));
        Assert.Equal("SSB3007", ex.Code.Id);
        Assert.Equal(temp.Combine("outside", "key.pem"), KeyFiles.RealPath(Path.Combine(root, "d", "key.pem"), "d/key.pem"));
    }

    [Fact]
    public void Resolve_accepts_a_link_that_leaves_and_comes_back_and_real_path_follows_it()
    {
        using var temp = new TempDirectory();
        var root = temp.Combine("k");
        Directory.CreateDirectory(Path.Combine(root, "sub"));
        Directory.CreateSymbolicLink(Path.Combine(root, "d"), "../k/sub");

        Assert.Equal(Path.Combine(root, "d", "key.pem"), KeyFiles.Resolve(root, "d/key.pem"));
        Assert.Equal(Path.Combine(root, "sub", "key.pem"), KeyFiles.RealPath(Path.Combine(root, "d", "key.pem"), "d/key.pem"));
    }

    [Fact]
    public void Resolve_follows_a_chain_of_exactly_40_links()
    {
        using var temp = new TempDirectory();
        var root = temp.Combine("k");
        Directory.CreateDirectory(Path.Combine(root, "sub"));
        Directory.CreateSymbolicLink(Path.Combine(root, "l40"), "sub");
        for (var i = 39; i >= 1; i--)
        {
            Directory.CreateSymbolicLink(Path.Combine(root, $"l{i}"), $"l{i + 1}");
        }

        Assert.Equal(Path.Combine(root, "sub", "key.pem"), KeyFiles.RealPath(Path.Combine(root, "l1", "key.pem"), "l1/key.pem"));
    }

    [Fact]
    public void Resolve_refuses_a_chain_of_41_links_as_a_loop()
    {
        using var temp = new TempDirectory();
        var root = temp.Combine("k");
        Directory.CreateDirectory(Path.Combine(root, "sub"));
        Directory.CreateSymbolicLink(Path.Combine(root, "l41"), "sub");
        for (var i = 40; i >= 1; i--)
        {
            Directory.CreateSymbolicLink(Path.Combine(root, $"l{i}"), $"l{i + 1}");
        }

        var ex = Assert.Throws<SecretStoreException>(() => KeyFiles.Resolve(root, "l1/key.pem"));
        Assert.Equal("SSB3007", ex.Code.Id);
        Assert.Equal("SSB3007: Keyring path 'l1/key.pem' goes through more than 40 symbolic links (a loop).", ex.Message);
    }

    [Fact]
    public void Require_owner_only_reports_a_missing_file_as_unreadable()
    {
        using var temp = new TempDirectory();
        var ex = Assert.Throws<SecretStoreException>(() => KeyFiles.RequireOwnerOnly(temp.Combine("missing.pem"), "missing.pem", "key 'a'"));
        Assert.Equal("SSB3007", ex.Code.Id);
        Assert.Equal("SSB3007: The private key file of key 'a' ('missing.pem') cannot be read: FileNotFoundException.", ex.Message);
    }

    [Fact]
    public void Read_text_reads_a_file_of_exactly_the_maximum_size()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("big");
        File.WriteAllText(path, new string('a', KeyFiles.MaxFileBytes));

        Assert.Equal(KeyFiles.MaxFileBytes, KeyFiles.ReadText(path, "the test file").Length);
    }

    [Fact]
    public void Read_text_refuses_a_file_one_byte_over_the_maximum()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("big");
        File.WriteAllText(path, new string('a', KeyFiles.MaxFileBytes + 1));

        var ex = Assert.Throws<SecretStoreException>(() => KeyFiles.ReadText(path, "the test file"));
        Assert.Equal("SSB3007", ex.Code.Id);
        Assert.Equal($"SSB3007: The file of the test file ('{path}') is larger than 1048576 bytes.", ex.Message);
    }

    [Fact]
    public void Read_text_decodes_a_file_by_its_byte_order_mark()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("utf16");
        File.WriteAllText(path, "{\"version\":1}", Encoding.Unicode);

        Assert.Equal("{\"version\":1}", KeyFiles.ReadText(path, "the test file"));
    }

    [Fact]
    public void Read_text_reports_a_missing_file_as_unreadable()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("missing");
        var ex = Assert.Throws<SecretStoreException>(() => KeyFiles.ReadText(path, "the test file"));
        Assert.Equal("SSB3007", ex.Code.Id);
        Assert.Equal($"SSB3007: The key file of the test file ('{path}') cannot be read: FileNotFoundException.", ex.Message);
    }

    [Fact]
    public void File_stem_keeps_letters_digits_dash_and_underscore_and_replaces_the_rest()
    {
        Assert.Equal("alias_acme-alpha-78555ebb", KeyFiles.FileStem("alias/acme-alpha"));
        Assert.Equal("Ab9-____-22ed36d0", KeyFiles.FileStem("Ab9-_./é"));
    }

    [Fact]
    public void File_stem_cuts_the_slug_at_40_characters()
    {
        Assert.Equal("abcdefghijklmnopqrstuvwxyz0123456789ABCD-444e4202", KeyFiles.FileStem("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGH"));
    }

    [Fact]
    public void Create_folder_leaves_the_mode_of_an_existing_folder_alone()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var temp = new TempDirectory();
        var path = temp.Combine("existing");
        Directory.CreateDirectory(path);
        File.SetUnixFileMode(path, Mode700);

        KeyFiles.CreateFolder(path);

        Assert.Equal(Mode700, File.GetUnixFileMode(path));
    }

    [Fact]
    public void Create_folder_under_a_file_is_refused()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.Combine("file"), "x");
        var full = temp.Combine("file", "sub");

        var ex = Assert.Throws<SecretStoreException>(() => KeyFiles.CreateFolder(full));
        Assert.Equal("SSB3007", ex.Code.Id);
        Assert.Equal($"SSB3007: The keyring folder '{temp.Combine("file")}' could not be created: {ex.InnerException!.GetType().Name}.", ex.Message);
    }

    [Fact]
    public void Write_public_writes_utf8_without_a_byte_order_mark_mode_644()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("key.pem");

        KeyFiles.WritePublic(path, "clé");

        Assert.Equal(Encoding.UTF8.GetBytes("clé"), File.ReadAllBytes(path));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(Mode644, File.GetUnixFileMode(path));
        }
    }

    [Fact]
    public void Write_private_refuses_to_overwrite_an_existing_file()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("key.private.pem");
        File.WriteAllText(path, "old");

        var ex = Assert.Throws<SecretStoreException>(() => KeyFiles.WritePrivate(path, "new"));
        Assert.Equal("SSB3007", ex.Code.Id);
        Assert.Equal($"SSB3007: Key file '{path}' could not be written (it may already exist): IOException.", ex.Message);
        Assert.Equal("old", File.ReadAllText(path));
    }

    [Fact]
    public void Replace_private_replaces_a_public_file_with_an_owner_only_one()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("key.private.pem");
        File.WriteAllText(path, "old");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, Mode644);
        }

        KeyFiles.ReplacePrivate(path, "clé");

        Assert.Equal(Encoding.UTF8.GetBytes("clé"), File.ReadAllBytes(path));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(Mode600, File.GetUnixFileMode(path));
        }

        Assert.Equal(["key.private.pem"], Directory.EnumerateFileSystemEntries(temp.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void Write_atomically_over_a_folder_fails_and_leaves_no_temporary_file()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("keyring.json");
        Directory.CreateDirectory(path);

        var ex = Assert.Throws<SecretStoreException>(() => KeyFiles.WriteAtomically(path, [1, 2, 3]));
        Assert.Equal("SSB3007", ex.Code.Id);
        Assert.Equal($"SSB3007: '{path}' could not be written: {ex.InnerException!.GetType().Name}.", ex.Message);
        Assert.Equal(["keyring.json"], Directory.EnumerateFileSystemEntries(temp.Path).Select(Path.GetFileName));
    }
}
