using System.Text;
using SecretStore.Cli.Tests.Infrastructure;
using SecretStore.Testing.Processes;

namespace SecretStore.Cli.Tests.Commands;

/// <summary>
/// Issue 14 item 5: `keys init` keeps private keys out of git and says what goes where; reading with the wrong
/// keyring or reader secret names both fingerprints, as `keys list` shows them, and the fix.
/// </summary>
public sealed class KeyringOnboardingCommandTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Keys_init_writes_a_gitignore_that_keeps_every_private_key_out_of_a_real_git_add()
    {
        var init = await CliProcess.RunAsync(_folder.Path, ["keys", "init", "kr", "--key-size", "2048"]);
        Assert.True(init.ExitCode == 0, init.ToString());

        await Git("init", "--quiet", ".");
        await Git("add", ".");
        var staged = (await Git("diff", "--cached", "--name-only")).StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);

        // Everything a reader of the committed keyring needs, and no private half.
        Assert.Contains("kr/keyring.json", staged);
        Assert.Contains("kr/signing.public.pem", staged);
        Assert.Contains("kr/.gitignore", staged);
        Assert.Single(staged, f => f.StartsWith("kr/keys/", StringComparison.Ordinal) && f.EndsWith(".public.pem", StringComparison.Ordinal));
        Assert.DoesNotContain(staged, f => f.Contains("private", StringComparison.Ordinal));
        Assert.Equal(2, Directory.GetFiles(_folder.Combine("kr"), "*.private.pem", SearchOption.AllDirectories).Length);
    }

    [Fact]
    public async Task Keys_init_prints_the_key_id_on_stdout_and_what_to_commit_and_put_in_CI_on_stderr()
    {
        var init = await CliProcess.RunAsync(_folder.Path, ["keys", "init", "kr", "--key-size", "2048"]);
        var list = await CliProcess.RunAsync(_folder.Path, ["keys", "list", "kr"]);

        Assert.True(init.ExitCode == 0, init.ToString());
        Assert.Equal("default\n", init.Stdout);
        var anchor = Assert.Single(list.Stdout.Split('\n'), l => l.StartsWith("(anchor)\t", StringComparison.Ordinal))["(anchor)\t".Length..];
        Assert.Contains($"its fingerprint (the (anchor) row of 'keys list') is {anchor}.", init.Stderr, StringComparison.Ordinal);
        Assert.Contains("Commit: keyring.json, signing.public.pem, keys/*.public.pem and .gitignore", init.Stderr, StringComparison.Ordinal);
        Assert.Contains("Never commit: signing.private.pem, keys/*.private.pem", init.Stderr, StringComparison.Ordinal);
        Assert.Contains("CI: put the output of 'secretstore keys export-reader kr' into a secret variable and name it with --private-key-env", init.Stderr, StringComparison.Ordinal);
        ValueScanner.AssertNoValue(init.Stdout + init.Stderr, "keys init output", "PRIVATE KEY");
    }

    [Fact]
    public async Task An_existing_gitignore_in_the_folder_is_kept_and_only_completed()
    {
        _folder.Write("kr/.gitignore", "notes.txt");

        var init = await CliProcess.RunAsync(_folder.Path, ["keys", "init", "kr", "--key-size", "2048"]);

        Assert.True(init.ExitCode == 0, init.ToString());
        Assert.Equal("notes.txt\n*.private.pem\n", File.ReadAllText(_folder.Combine("kr", ".gitignore")));
    }

    [Fact]
    public async Task A_negation_after_the_pattern_in_an_existing_gitignore_is_overridden_so_git_still_skips_the_key()
    {
        // Attack as a careless (or hostile) earlier commit: re-include the signing key after ignoring private keys.
        _folder.Write("kr/.gitignore", "*.private.pem\n!signing.private.pem\n");

        var init = await CliProcess.RunAsync(_folder.Path, ["keys", "init", "kr", "--key-size", "2048"]);
        await Git("init", "--quiet", ".");
        await Git("add", ".");
        var staged = (await Git("diff", "--cached", "--name-only")).StandardOutput;

        Assert.True(init.ExitCode == 0, init.ToString());
        Assert.Equal("*.private.pem\n!signing.private.pem\n*.private.pem\n", File.ReadAllText(_folder.Combine("kr", ".gitignore")));
        Assert.DoesNotContain("private", staged, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reading_with_another_keyring_names_the_record_s_and_the_given_keyring_s_fingerprints_and_the_fix()
    {
        await CliProcess.RunAsync(_folder.Path, ["keys", "init", "writer", "--key-size", "2048"]);
        await CliProcess.RunAsync(_folder.Path, ["keys", "init", "other", "--key-size", "2048"]);
        var set = await CliProcess.RunAsync(_folder.Path, ["set", "shop/Db", "--store", "file:secrets.json", "--keyring", "writer"], stdin: Encoding.UTF8.GetBytes("onboarding-value"));
        Assert.True(set.ExitCode == 0, set.ToString());

        var get = await CliProcess.RunAsync(_folder.Path, ["get", "shop/Db", "--store", "file:secrets.json", "--keyring", "other"]);

        Assert.Equal(1, get.ExitCode);
        Assert.Empty(get.StdoutBytes);
        Assert.Contains(
            $"error SSB3009: The record 'shop/Db' was signed by the keyring {await AnchorOf("writer")}, but the keyring given, '{_folder.Combine("other")}', is {await AnchorOf("other")} (its trust anchor,",
            get.Stderr,
            StringComparison.Ordinal);
        Assert.Contains("Fix: read with the keyring that wrote the record", get.Stderr, StringComparison.Ordinal);
        ValueScanner.AssertNoValue(get, "onboarding-value");
    }

    [Fact]
    public async Task A_reader_secret_of_another_keyring_names_both_key_fingerprints_and_the_export_to_redo()
    {
        await CliProcess.RunAsync(_folder.Path, ["keys", "init", "ci", "--key-size", "2048"]);
        await CliProcess.RunAsync(_folder.Path, ["keys", "init", "laptop", "--key-size", "2048"]);
        var reader = await CliProcess.RunAsync(_folder.Path, ["keys", "export-reader", "laptop"]);
        Assert.True(reader.ExitCode == 0, reader.ToString());
        var environment = new Dictionary<string, string> { ["READER"] = reader.Stdout.Trim() };

        var get = await CliProcess.RunAsync(_folder.Path, ["get", "shop/Db", "--store", "file:secrets.json", "--keyring", "ci", "--private-key-env", "READER"], environment);

        Assert.Equal(1, get.ExitCode);
        var laptop = await KeyFingerprintOf("laptop");
        var ci = await KeyFingerprintOf("ci");
        Assert.Contains(
            $"error SSB3007: The reader secret's key 'default' is {laptop}, but the keyring '{_folder.Combine("ci")}' lists {ci} under that id: the reader secret comes from another keyring. " +
            $"Fix: export it again from this keyring ('secretstore keys export-reader {_folder.Combine("ci")}')",
            get.Stderr,
            StringComparison.Ordinal);
        ValueScanner.AssertNoValue(get, "PRIVATE KEY", reader.Stdout.Trim());
    }

    private async Task<string> AnchorOf(string keyring) => Row(await CliProcess.RunAsync(_folder.Path, ["keys", "list", keyring]), "(anchor)")[1];

    private async Task<string> KeyFingerprintOf(string keyring) => Row(await CliProcess.RunAsync(_folder.Path, ["keys", "list", keyring]), "default")[3];

    private static string[] Row(ProcessResult list, string first) =>
        list.Stdout.Split('\n').Select(l => l.Split('\t')).Single(r => r[0] == first);

    private async Task<ToolProcessResult> Git(params string[] arguments)
    {
        var result = await ToolProcess.RunAsync("git", ["-c", "user.name=t", "-c", "user.email=t@t", .. arguments], _folder.Path, TimeSpan.FromMinutes(1));
        Assert.True(result.Succeeded, result.ToString());
        return result;
    }
}
