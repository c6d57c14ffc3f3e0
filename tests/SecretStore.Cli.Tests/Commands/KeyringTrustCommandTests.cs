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
}
