using SecretStore.Cli.Tests.Infrastructure;
using SecretStore.Keys.Rsa;

namespace SecretStore.Cli.Tests.Commands;

/// <summary>
/// Issue 23 section 2, the same rule for RSA keyrings holding several keys: with an allow-list, a record under
/// another key of the keyring is refused before its data key is unwrapped.
/// </summary>
public sealed class KeyringAllowListCommandTests : IDisposable
{
    private const string Other = "second";
    private readonly FileStoreSandbox _sandbox = new();

    public KeyringAllowListCommandTests()
    {
        using var keyring = RsaKeyring.Load(_sandbox.KeyringPath);
        keyring.AddKey(Other, 2048);
    }

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public async Task Record_under_another_keyring_key_than_the_allowed_one_is_refused_with_SSB3012()
    {
        var set = await _sandbox.RunWithInputAsync("value-under-second-key", "set", "shop/Db", "--key-id", Other);
        Assert.True(set.ExitCode == 0, set.ToString());

        var get = await _sandbox.RunAsync("get", "shop/Db", "--allowed-key-id", FileStoreSandbox.KeyId);
        var allowed = await _sandbox.RunAsync("get", "shop/Db", "--allowed-key-id", FileStoreSandbox.KeyId, "--allowed-key-id", Other);

        Assert.True(get.ExitCode == 1, get.ToString());
        Assert.Contains("SSB3012", get.Stderr, StringComparison.Ordinal);
        Assert.Contains($"'{Other}'", get.Stderr, StringComparison.Ordinal);
        Assert.Empty(get.StdoutBytes);
        ValueScanner.AssertNoValue(get.ToString(), "output", "value-under-second-key");
        Assert.True(allowed.ExitCode == 0, allowed.ToString());
        Assert.Equal("value-under-second-key", allowed.Stdout);
    }
}
