using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text;
using SecretStore.Cli.Ci;
using SecretStore.Cli.Hosting;
using SecretStore.Cli.Options;
using SecretStore.Diagnostics;
using SecretStore.Running;
using SecretStore.Variables;
using SecretStore.Variables.Export;

namespace SecretStore.Cli.Commands;

/// <summary>
/// <c>run</c> and <c>export</c>: secrets handed to a process as environment variables, or written in an env file
/// format. Both select secrets the same way (<see cref="VariableSelectionOptions"/>) and read them through the engine
/// (<see cref="Running.SecretStoreRunner.LoadVariablesAsync"/>); in a CI run every value form is masked first.
/// </summary>
internal static class VariableCommands
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    public static Command Run(CliContext context)
    {
        var selection = new VariableSelectionOptions();
        var pristine = new Option<bool>("--pristine") { Description = "Start the command with only the secrets and a minimal set of variables (PATH, HOME, USER, LANG, TERM, TMPDIR... docs/cli.md lists them)." };
        var noClobber = new Option<bool>("--no-clobber") { Description = "A variable that is already set wins over a secret of the same name (default: the secret wins, with warning SSB4005)." };
        var commandLine = new Argument<string[]>("command")
        {
            Description = "The command and its arguments, after '--' (secretstore run --map DB=shop/Db -- dotnet ef database update).",
            Arity = ArgumentArity.OneOrMore,
        };
        var command = new Command("run", "Runs a command with secrets added to its environment, and exits with its exit code (128+N when signal N ended it; 127 when the command is not found). Values go to the environment only: never to the arguments, the log or a file.")
        {
            pristine, noClobber, commandLine,
        };
        foreach (var option in selection.All)
        {
            command.Options.Add(option);
        }

        context.SetAction(command, async (parse, token) =>
        {
            var masker = CliMasks.ForValues(context);
            var words = parse.GetValue(commandLine) ?? [];
            RequireDoubleDash(parse, words.Length);
            try
            {
                return await context.Runner.RunWithSecretsAsync(
                    new RunRequest
                    {
                        Variables = selection.ToOptions(context, parse),
                        Program = words[0],
                        Arguments = words[1..],
                        WorkingDirectory = Directory.GetCurrentDirectory(),
                        CurrentEnvironment = ChildEnvironment.Current(),
                        Pristine = parse.GetValue(pristine),
                        NoClobber = parse.GetValue(noClobber),
                        ForwardInterrupt = context.Console.IsInputRedirected,
                        Masker = masker,
                        Warn = context.Console.Report,
                    },
                    token).ConfigureAwait(false);
            }
            catch (CommandStartException ex)
            {
                // Not found (127) or not startable (126): nothing was masked or handed on when it is not found.
                context.Console.Report(ex.Diagnostics[0]);
                return ex.ExitCode;
            }
        });
        return command;
    }

    public static Command Export(CliContext context)
    {
        var selection = new VariableSelectionOptions();
        var format = new Option<string>("--format")
        {
            Description = $"The format: {string.Join(", ", ExportWriter.Names)} (default: dotenv). docs/cli.md has the escaping of each.",
            DefaultValueFactory = _ => ExportWriter.NameOf(ExportFormat.Dotenv),
        };
        var output = new Option<string?>("--output", "-o") { Description = "Write to this file, created owner-only (600) and replaced atomically (default: standard output)." };
        var append = new Option<bool>("--append") { Description = "Add to the end of --output instead of replacing it (for a runner's file: --format github-env --output \"$GITHUB_ENV\" --append)." };
        var force = new Option<bool>("--force") { Description = "Write to standard output even when it is a terminal (the values are shown on screen)." };
        var command = new Command("export", "Writes secrets as environment variable definitions in an env file format, to a file (owner-only, atomic) or standard output. In a CI run every value is masked first, on stderr.")
        {
            format, output, append, force,
        };
        foreach (var option in selection.All)
        {
            command.Options.Add(option);
        }

        context.SetAction(command, async (parse, token) =>
        {
            var masker = CliMasks.ForValues(context);
            ExportFormat chosen;
            try
            {
                chosen = ExportWriter.Parse(parse.GetValue(format));
            }
            catch (SecretStoreException ex)
            {
                throw new UsageException(ex.Diagnostics[0].Message);
            }

            var path = parse.GetValue(output);
            if (parse.GetResult(output) is not null && string.IsNullOrWhiteSpace(path))
            {
                // An unset variable (--output "$ENVFILE") must not turn into the values on standard output, in the log.
                throw new UsageException("--output is empty (an unset variable?); give a file, or leave --output out to write to standard output.");
            }

            if (parse.GetValue(append) && string.IsNullOrWhiteSpace(path))
            {
                throw new UsageException("--append needs --output FILE.");
            }

            if (parse.GetValue(append))
            {
                try
                {
                    ExportWriter.ThrowIfNotAppendable(chosen);
                }
                catch (SecretStoreException ex)
                {
                    throw new UsageException(ex.Diagnostics[0].Message);
                }
            }

            if (string.IsNullOrWhiteSpace(path) && !context.Console.IsOutputRedirected && !parse.GetValue(force))
            {
                // Refused before anything is read: values on a screen end up in screenshots, recordings and scrollback.
                throw new SecretStoreException(DiagnosticCodes.ValuesToTerminal, "Standard output is a terminal, so the values would be shown on screen. Fix: write to a file (--output FILE) or a pipe, or pass --force to show them.");
            }

            var (text, count) = await context.Runner.RenderExportAsync(selection.ToOptions(context, parse), chosen, masker, context.Console.Report, token).ConfigureAwait(false);
            var summary = string.Create(CultureInfo.InvariantCulture, $"SecretStore export: {count} variable(s) as {ExportWriter.NameOf(chosen)}");
            if (!string.IsNullOrWhiteSpace(path))
            {
                ExportFile.Write(path, text, parse.GetValue(append));
                context.Console.Error.WriteLine(LogText.Escape($"{summary} {(parse.GetValue(append) ? "added to" : "written to")} '{Path.GetFullPath(path)}'."));
                return ExitCodes.Success;
            }

            var bytes = Utf8.GetBytes(text);
            try
            {
                await context.Console.OutStream.WriteAsync(bytes, token).ConfigureAwait(false);
                await context.Console.OutStream.FlushAsync(token).ConfigureAwait(false);
            }
            finally
            {
                System.Security.Cryptography.CryptographicOperations.ZeroMemory(bytes);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>
    /// The command must come after <c>--</c>: without it the parser would take the command's own options for
    /// secretstore's (<c>run --map X=a/b sh -c '...' --map Y=a/c</c> set Y; red team), so a command line that
    /// works today could change meaning with a new option.
    /// </summary>
    private static void RequireDoubleDash(ParseResult parse, int words)
    {
        var tokens = parse.Tokens;
        var at = -1;
        for (var i = 0; i < tokens.Count; i++)
        {
            if (tokens[i].Type == TokenType.DoubleDash)
            {
                at = i;
                break;
            }
        }

        if (at < 0 || tokens.Count - at - 1 != words)
        {
            throw new UsageException("Put the command after '--' (secretstore run --app shop -- dotnet ef database update), so that none of its arguments is taken for an option of secretstore.");
        }
    }
}
