using System.CommandLine;
using SecretStore.Aws;
using SecretStore.Cli.Options;

namespace SecretStore.Cli.Hosting;

/// <summary>What every command needs: the console, the shared store options and the environment.</summary>
internal sealed class CliContext(CliConsole console, Func<string, string?> environment)
{
    public CliConsole Console { get; } = console;

    public StoreOptions StoreOptions { get; } = new();

    public Func<string, string?> Environment { get; } = environment;

    public OwnedSecretStore OpenStore(ParseResult parse, string? keyId = null) =>
        SecretStoreFactory.Open(StoreOptions.ToSettings(parse, keyId));

    /// <summary>Gives a command an action that maps exceptions to exit codes and coded diagnostics.</summary>
    public void SetAction(Command command, Func<ParseResult, CancellationToken, Task<int>> action) =>
        command.SetAction((parse, token) => CliApplication.GuardAsync(Console, () => action(parse, token)));
}
