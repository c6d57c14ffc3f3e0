using SecretStore.Cli.Tests.Infrastructure;
using SecretStore.Secrets;
using SecretStore.Testing.Keyrings;

namespace SecretStore.Cli.Tests.Commands;

/// <summary>
/// Issue 12 item 1 through the real tool: a writer of the committed keyring folder (a pull request) must not be
/// able to make a reader return a value he chose. The reader's private key (and with it the trust anchor) comes
/// from an environment variable, the folder holds public halves only.
/// </summary>
public sealed class KeyringTrustCommandTests : IDisposable
{
    private const string HonestValue = "honest-db-password-7f3a";
    private const string ForgedValue = "forged-by-pull-request-91c2";
    private const string ReaderVariable = "DEPLOY_READER_KEY";
    private readonly FileStoreSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    private async Task<Dictionary<string, string>> StageAttackAsync()
    {
        await _sandbox.SetAsync("shop/Db", HonestValue);
        var readerSecret = ForgedKeyringAttack.StripPrivateKeys(_sandbox.KeyringPath, FileStoreSandbox.KeyId);

        // The honest reader works before the attack: the test would prove nothing otherwise.
        var before = await _sandbox.RunWithEnvironmentAsync(new Dictionary<string, string> { [ReaderVariable] = readerSecret }, "get", "shop/Db", "--private-key-env", ReaderVariable);
        Assert.True(before.ExitCode == 0, before.ToString());
        Assert.Equal(HonestValue, before.Stdout);

        await ForgedKeyringAttack.ApplyAsync(_sandbox.KeyringPath, _sandbox.StorePath, FileStoreSandbox.KeyId, new SecretId("shop", "Db"), ForgedValue, _sandbox.Folder.Combine("attacker"));
        return new Dictionary<string, string> { [ReaderVariable] = readerSecret };
    }

    [Fact]
    public async Task Get_of_a_record_forged_by_a_keyring_folder_writer_is_refused_with_SSB3009_naming_both_fingerprints()
    {
        var environment = await StageAttackAsync();

        var get = await _sandbox.RunWithEnvironmentAsync(environment, "get", "shop/Db", "--private-key-env", ReaderVariable);

        Assert.True(get.ExitCode == 1, get.ToString());
        Assert.Empty(get.StdoutBytes);
        Assert.Contains("error SSB3009:", get.Stderr, StringComparison.Ordinal);
        Assert.Contains(_sandbox.KeyringPath, get.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Matches(get.Stderr, "sha256:[0-9a-f]{64}").Select(m => m.Value).Distinct().Count());
        ValueScanner.AssertNoValue(get, ForgedValue, HonestValue);
    }

    [Fact]
    public async Task Resolve_with_a_record_forged_by_a_keyring_folder_writer_is_refused_with_SSB3009_and_writes_nothing()
    {
        var environment = await StageAttackAsync();
        var target = _sandbox.Folder.Write("site/appsettings.json", "{\n  \"Db\": \"#{secret:shop/Db}\"\n}\n");
        var before = File.ReadAllBytes(target);

        var resolve = await _sandbox.RunWithEnvironmentAsync(environment, "resolve", "site/appsettings.json", "--app", "shop", "--private-key-env", ReaderVariable);

        Assert.True(resolve.ExitCode == 1, resolve.ToString());
        Assert.Empty(resolve.StdoutBytes);
        Assert.Contains("error SSB3009:", resolve.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(target));
        Assert.Equal(["appsettings.json"], Directory.GetFiles(_sandbox.Folder.Combine("site")).Select(Path.GetFileName));
        ValueScanner.AssertNoValue(resolve, ForgedValue, HonestValue);
    }

    [Fact]
    public async Task Export_reader_prints_only_the_reader_secret_which_reads_through_a_public_only_keyring()
    {
        await _sandbox.SetAsync("shop/Db", HonestValue);

        var export = await _sandbox.RunAsync("keys", "export-reader", _sandbox.KeyringPath, "--key-id", FileStoreSandbox.KeyId);
        Assert.True(export.ExitCode == 0, export.ToString());
        Assert.Matches("^-----BEGIN SECRETSTORE READER KEY-----\n([A-Za-z0-9+/=]{1,64}\n)+-----END SECRETSTORE READER KEY-----\n$", export.Stdout);
        Assert.Equal(string.Empty, export.Stderr);

        ForgedKeyringAttack.StripPrivateKeys(_sandbox.KeyringPath, FileStoreSandbox.KeyId);
        var list = await _sandbox.RunWithEnvironmentAsync(new Dictionary<string, string> { [ReaderVariable] = export.Stdout }, "keys", "list", _sandbox.KeyringPath);
        var get = await _sandbox.RunWithEnvironmentAsync(new Dictionary<string, string> { [ReaderVariable] = export.Stdout }, "get", "shop/Db", "--private-key-env", ReaderVariable);

        Assert.True(get.ExitCode == 0, get.ToString());
        Assert.Equal(HonestValue, get.Stdout);
        Assert.Contains("(anchor)\tnone\n", list.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(export.Stdout.Split('\n')[1], get.Stderr + list.Stdout + list.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_plain_PEM_private_key_in_the_variable_is_refused_with_SSB3010_that_names_export_reader()
    {
        await _sandbox.SetAsync("shop/Db", HonestValue);
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        var pem = rsa.ExportPkcs8PrivateKeyPem();

        var get = await _sandbox.RunWithEnvironmentAsync(new Dictionary<string, string> { [ReaderVariable] = pem }, "get", "shop/Db", "--private-key-env", ReaderVariable);

        Assert.True(get.ExitCode == 1, get.ToString());
        Assert.Empty(get.StdoutBytes);
        Assert.Contains("error SSB3010:", get.Stderr, StringComparison.Ordinal);
        Assert.Contains("secretstore keys export-reader", get.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(pem.Split('\n')[1], get.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keys_init_under_umask_000_writes_public_files_644_folders_755_and_private_files_600()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var folder = _sandbox.Folder.Combine("umask-kr");
        var init = await CliProcess.RunProcessAsync("/bin/sh", ["-c", "umask 000 && exec \"$0\" \"$@\"", CliProcess.DotnetHost, CliProcess.CliDll, "keys", "init", folder, "--key-size", "2048"], _sandbox.Folder.Path);
        Assert.True(init.ExitCode == 0, init.ToString());

        const UnixFileMode File644 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        const UnixFileMode Folder755 = File644 | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        Assert.Equal(Folder755, File.GetUnixFileMode(folder));
        Assert.Equal(Folder755, File.GetUnixFileMode(Path.Combine(folder, "keys")));
        Assert.Equal(File644, File.GetUnixFileMode(Path.Combine(folder, "keyring.json")));
        Assert.Equal(File644, File.GetUnixFileMode(Path.Combine(folder, "signing.public.pem")));
        foreach (var file in Directory.GetFiles(folder, "*.public.pem", SearchOption.AllDirectories))
        {
            Assert.Equal(File644, File.GetUnixFileMode(file));
        }

        var privateFiles = Directory.GetFiles(folder, "*.private.pem", SearchOption.AllDirectories);
        Assert.Equal(2, privateFiles.Length);
        foreach (var file in privateFiles)
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }
    }

    [Fact]
    public async Task Keys_add_of_an_XML_key_with_an_external_entity_is_SSB3007_not_SSB0099()
    {
        _sandbox.Folder.Write("evil.xml", "<?xml version=\"1.0\"?><!DOCTYPE RSAKeyValue [<!ENTITY xxe SYSTEM \"file:///etc/hostname\">]><RSAKeyValue><Modulus>&xxe;</Modulus><Exponent>AQAB</Exponent></RSAKeyValue>");

        var add = await _sandbox.RunAsync("keys", "add", _sandbox.KeyringPath, "--key-id", "evil", "--private-key", "evil.xml");

        Assert.True(add.ExitCode == 1, add.ToString());
        Assert.Contains("error SSB3007:", add.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("SSB0099", add.Stderr, StringComparison.Ordinal);
    }
}
