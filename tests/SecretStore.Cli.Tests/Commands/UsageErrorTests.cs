using SecretStore.Cli.Tests.Infrastructure;

namespace SecretStore.Cli.Tests.Commands;

/// <summary>
/// A value typed on the command line by mistake must not come back in a usage error (issue 12, item 6): in CI
/// the error line is logged, and the value was never registered with the masker.
/// </summary>
public sealed class UsageErrorTests : IDisposable
{
    private const string Canary = "hunter2-Canary-7f3Q";
    private readonly FileStoreSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public async Task Set_with_the_value_as_an_argument_exits_2_without_repeating_it_and_says_values_come_from_stdin()
    {
        var result = await _sandbox.RunAsync("set", "shop/Db", Canary);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Empty(result.StdoutBytes);
        Assert.Contains("error SSB0001: 'secretstore set' got 1 argument(s) it does not know (position 3 of the command line)", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("reads the value from standard input only", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("printf '%s' \"$V\" | secretstore set <app>/<name>", result.Stderr, StringComparison.Ordinal);
        ValueScanner.AssertNoValue(result, Canary);
        Assert.False(File.Exists(_sandbox.StorePath), "A usage error wrote the store.");
    }

    [Theory]
    [InlineData(Canary)]
    [InlineData("keys", Canary)]
    [InlineData("set", Canary)]
    [InlineData("set", "shop/Db", "--trim-newline", Canary, "--if-revision", "0")]
    [InlineData("set", "shop/Db", "--if-revision", Canary)]
    [InlineData("set", "shop/Db", "@" + Canary)]
    [InlineData("get", "shop/Db", Canary)]
    [InlineData("get", Canary)]
    [InlineData("get", "shop/Db", "--store", Canary)]
    [InlineData("list", "shop", Canary)]
    [InlineData("delete", "shop/Db", "--if-revision", Canary)]
    [InlineData("keys", "list", "keyring", Canary)]
    [InlineData("table", "create", Canary)]
    public async Task Usage_errors_of_every_command_never_repeat_a_typed_argument(params string[] args)
    {
        File.WriteAllText(_sandbox.Folder.Combine("appsettings.json"), "{}");

        var result = await _sandbox.RunAsync(args);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Empty(result.StdoutBytes);
        Assert.Contains("error SSB0001:", result.Stderr, StringComparison.Ordinal);
        ValueScanner.AssertNoValue(result, Canary);

        // Not even a fragment of it (System.CommandLine might quote a part, such as the text after '@').
        Assert.DoesNotContain("Canary-7f3Q", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_usage_error_without_typed_text_keeps_the_parser_message()
    {
        var result = await _sandbox.RunAsync("get");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("error SSB0001: Required argument missing for command: 'get'.", result.Stderr, StringComparison.Ordinal);
    }
}
