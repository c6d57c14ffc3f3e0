using System.CommandLine;
using SecretStore.Aws;
using SecretStore.Cli.Options;
using SecretStore.Configuration.Settings;
using SecretStore.Diagnostics;
using SecretStore.Repositories;
using SecretStore.Running;
using SecretStore.Secrets;
using SecretStore.Stores;

namespace SecretStore.Cli.Hosting;

/// <summary>What every command needs: the console, the shared store options, the environment and the engine runner.</summary>
internal sealed class CliContext(CliConsole console, Func<string, string?> environment)
{
    public CliConsole Console { get; } = console;

    public StoreOptions StoreOptions { get; } = new();

    public Func<string, string?> Environment { get; } = environment;

    public SecretStoreRunner Runner { get; } = new(SecretStoreFactory.Default);

    /// <summary>The settings of this invocation (settings file, environment, options), merged by the engine.</summary>
    public ResolvedSettings Settings(ParseResult parse, string? application = null, string? keyId = null) =>
        SecretStoreRunner.ResolveSettings(StoreOptions.ToSelection(parse, Environment, application, keyId));

    public EnvelopeSecretStore OpenStore(ParseResult parse, string? keyId = null) => Runner.Open(Settings(parse, keyId: keyId));

    public IProtectedSecretRepository OpenRepository(ParseResult parse) => Runner.OpenRepository(Settings(parse));

    /// <summary>
    /// Parses an <c>App/Name</c> argument with the engine's one rule (<see cref="SecretId.Parse"/>); a bare name takes
    /// the settings file's application. A bad id is a usage error (exit 2) that does not repeat the text.
    /// </summary>
    public SecretId ParseId(ParseResult parse, string? text)
    {
        var reference = ParseReference(parse, text);
        return reference.IsPinned
            ? throw new UsageException($"The secret id ends in '@' and digits, which pins a revision (as in '#{{secret:Name@3}}'), and this command takes no revision ({UsageErrors.NotRepeated}). Fix: leave the '@N' out, or write '\\@' for an '@' that belongs to the name.")
            : reference.Id;
    }

    /// <summary>
    /// Parses an <c>App/Name</c> or <c>App/Name@N</c> argument with the engine's one rule (<see cref="SecretReference.TryParse"/>,
    /// the placeholders' grammar): <c>get Shop/Db@2</c> reads revision 2, as <c>#{secret:Db@2}</c> does.
    /// </summary>
    public SecretReference ParseReference(ParseResult parse, string? text)
    {
        string? application = null;
        if (text is not null && !text.Contains('/', StringComparison.Ordinal))
        {
            application = Settings(parse).Application;
        }

        return SecretReference.TryParse(text, application, out var reference, out var problem)
            ? reference
            : throw new UsageException($"The secret id {problem} ({UsageErrors.NotRepeated}).");
    }

    /// <summary>Gives a command an action that maps exceptions to exit codes and coded diagnostics.</summary>
    public void SetAction(Command command, Func<ParseResult, CancellationToken, Task<int>> action) =>
        command.SetAction((parse, token) => CliApplication.GuardAsync(Console, () => action(parse, token)));
}
