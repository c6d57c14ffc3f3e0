using System.CommandLine;
using SecretStore.Cli.Commands;
using SecretStore.Diagnostics;
using SecretStore.Diagnostics.Ci;

namespace SecretStore.Cli.Hosting;

/// <summary>Builds the command tree, parses, and maps every outcome to a documented exit code.</summary>
internal static class CliApplication
{
    /// <summary>The command name of the installed tool (ToolCommandName).</summary>
    public const string CommandName = "secretstore";

    public static async Task<int> RunAsync(string[] args, CliConsole console, Func<string, string?>? environment = null, CancellationToken cancellationToken = default)
    {
        var context = new CliContext(console, environment ?? System.Environment.GetEnvironmentVariable);
        console.Ci = CiEnvironment.Detect(context.Environment);
        var root = BuildRoot(context);
        // No response files: '@name' would read a file into the command line, and a value typed as '@...'
        // would be taken for one (then a line of that file could come back in an error).
        var parse = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (parse.Errors.Count > 0)
        {
            // Usage errors in the same coded format as every other error, so CI annotates them too; worded
            // so that no typed argument comes back (it may be a value typed in the wrong place).
            foreach (var message in UsageErrors.Describe(parse, args))
            {
                console.Report(new Diagnostic(DiagnosticCodes.InvalidArgument, DiagnosticSeverity.Error, message));
            }

            console.Error.WriteLine("Run 'secretstore --help' (or '<command> --help') for usage.");
            return ExitCodes.Usage;
        }

        return await parse.InvokeAsync(new InvocationConfiguration { Output = console.Out, Error = console.Error, EnableDefaultExceptionHandler = false }, cancellationToken).ConfigureAwait(false);
    }

    public static Command BuildRoot(CliContext context)
    {
        // A named root rather than RootCommand, whose name is the entry assembly's (SecretStore.Cli), not the
        // command users type.
        var root = new Command(CommandName, "secretstore: envelope-encrypted secrets for config files. Exit codes: 0 ok, 1 resolution or store errors, 2 usage.")
        {
            new System.CommandLine.Help.HelpOption(),
            new VersionOption(),
        };
        foreach (var option in context.StoreOptions.All)
        {
            root.Options.Add(option);
        }

        root.Subcommands.Add(InitCommand.Create(context));
        root.Subcommands.Add(KeysCommands.Create(context));
        root.Subcommands.Add(SecretCommands.Set(context));
        root.Subcommands.Add(SecretCommands.Get(context));
        root.Subcommands.Add(SecretCommands.List(context));
        root.Subcommands.Add(SecretCommands.History(context));
        root.Subcommands.Add(SecretCommands.Rollback(context));
        root.Subcommands.Add(SecretCommands.Delete(context));
        root.Subcommands.Add(ImportCommand.Create(context));
        root.Subcommands.Add(RewrapCommand.Create(context));
        root.Subcommands.Add(StoreIdCommand.Create(context));
        root.Subcommands.Add(TableCommands.Create(context));
        root.Subcommands.Add(ResolveCommands.Resolve(context));
        root.Subcommands.Add(ResolveCommands.Verify(context));
        root.Subcommands.Add(ResolveCommands.Required(context));
        root.Subcommands.Add(ResolveCommands.Lock(context));
        root.Subcommands.Add(VariableCommands.Run(context));
        root.Subcommands.Add(VariableCommands.Export(context));
        return root;
    }

    /// <summary>Runs a command body: usage problems exit 2, coded errors exit 1, anything else is SSB0099 (type name only).</summary>
    public static async Task<int> GuardAsync(CliConsole console, Func<Task<int>> body)
    {
        try
        {
            return await body().ConfigureAwait(false);
        }
        catch (UsageException ex)
        {
            Report(console, ex);
            return ExitCodes.Usage;
        }
        catch (SecretStoreException ex)
        {
            Report(console, ex);
            return ExitCodes.Failed;
        }
        catch (OperationCanceledException)
        {
            console.Report(new Diagnostic(DiagnosticCodes.UnexpectedError, DiagnosticSeverity.Error, "Cancelled."));
            return ExitCodes.Failed;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The message of an unexpected exception is not vetted for values: only its type is shown.
            console.Report(new Diagnostic(DiagnosticCodes.UnexpectedError, DiagnosticSeverity.Error, $"Unexpected {ex.GetType().Name}."));
            return ExitCodes.Failed;
        }
    }

    private static void Report(CliConsole console, SecretStoreException ex)
    {
        foreach (var diagnostic in ex.Diagnostics)
        {
            console.Report(diagnostic);
        }
    }
}
