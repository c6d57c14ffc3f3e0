using System.CommandLine;
using System.Globalization;
using SecretStore.Cli.Ci;
using SecretStore.Diagnostics.Ci;
using SecretStore.Cli.Hosting;
using SecretStore.Cli.Options;
using SecretStore.Diagnostics;
using SecretStore.Resolution;
using SecretStore.Running;
using SecretStore.Secrets;

namespace SecretStore.Cli.Commands;

/// <summary>
/// <c>resolve</c>, <c>verify</c>, <c>required</c>, <c>lock</c>: the resolver's modes over files and globs. Each is one
/// <see cref="SecretStoreRunner.ResolveAsync"/> call; the CLI only translates arguments and reports.
/// </summary>
internal static class ResolveCommands
{
    public static Command Resolve(CliContext context) => Build(
        context,
        "resolve",
        ResolveMode.Resolve,
        "Replaces secret placeholders in the files with their values and writes the changed files (all or none). In a GitHub Actions or Azure Pipelines run, every value form is registered with the log masker first. Prints each written file.");

    public static Command Verify(CliContext context) => Build(
        context,
        "verify",
        ResolveMode.Verify,
        "Resolves everything in memory (fetching, decrypting, escaping, checking shapes) and writes nothing.");

    public static Command Required(CliContext context) => Build(
        context,
        "required",
        ResolveMode.List,
        "Lists the secrets the files need: application/name, 'required' or 'optional', and the placeholder count; nothing is fetched, no store is needed.");

    public static Command Lock(CliContext context) => Build(
        context,
        "lock",
        ResolveMode.Verify,
        $"Verifies the files like 'verify' and writes {Locking.SecretLock.FileName} next to secretstore.json: for every secret they need, the revision read and a digest of its protected record (never of its value). Later runs refuse a secret below its locked revision (SSB2020) or with another record at it (SSB2021). Entries of other secrets are kept.",
        alwaysUpdateLock: true);

    private static Command Build(CliContext context, string name, ResolveMode mode, string description, bool alwaysUpdateLock = false)
    {
        var files = new Argument<string[]>("files") { Description = "Files or globs (*, **, ?); a leading '!' excludes.", Arity = ArgumentArity.ZeroOrMore };
        var app = EnvironmentOption.String("--app", "The application of placeholders that name none (#{secret:Name}); default: the settings file's.");
        var report = EnvironmentOption.String("--report", "Write a redacted report here (JSON, or Markdown for *.md).");
        var allowOptional = EnvironmentOption.Flag("--allow-optional", "true (default): a missing '|optional' secret keeps its placeholder with warning SSB1013; false: it is an error.", defaultValue: true);
        var requirePlaceholders = EnvironmentOption.Flag("--require-placeholders", "Fail (SSB1010) when no file holds a placeholder.");
        var optionalFiles = new Option<string[]>("--optional-file")
        {
            Description = "A file or glob that may find nothing (repeatable): skipped when it finds no file, resolved like the others when it does. A file argument that finds nothing is an error (SSB1009).",
            AllowMultipleArgumentsPerToken = false,
        };
        var format = EnvironmentOption.String("--format", $"The format of every file given ({Resolution.Formats.FileFormatNames.Accepted}), instead of the one each file's extension gives.");
        var map = new Option<string[]>("--map")
        {
            Description = "Structured mode, no placeholder needed (repeatable): <ConfigurationPath>=<Name or App/Name>, e.g. ConnectionStrings:Default=Shop/Db; suffix '?' makes it optional (ConnectionStrings:Default=Shop/Db?).",
            AllowMultipleArgumentsPerToken = false,
        };
        var updateLock = EnvironmentOption.Flag("--update-lock", $"Move {Locking.SecretLock.FileName} on purpose: do not enforce it, and write it with the revisions this run reads (after a run without errors).");
        var command = new Command(name, description) { files, optionalFiles, app, report, allowOptional, requirePlaceholders, map, format };
        if (mode != ResolveMode.List && !alwaysUpdateLock)
        {
            command.Options.Add(updateLock);
        }

        context.SetAction(command, async (parse, token) =>
        {
            var masker = mode == ResolveMode.Resolve ? CliMasks.ForValues(context) : new CiMasker(context.Console.Ci, context.Console.Error, context.Console.Report);
            var given = parse.GetValue(files) ?? [];
            for (var i = 0; i < given.Length; i++)
            {
                // The parser hands an unknown option (--aap, or one holding a value by mistake) to the file list,
                // where SSB1009 would quote it as a path: named by position instead, never repeated.
                if (given[i].Length > 1 && given[i][0] == '-')
                {
                    throw new UsageException(string.Create(CultureInfo.InvariantCulture, $"File argument {i + 1} of '{name}' starts with '-' but is no option of this command ({UsageErrors.NotRepeated}). Fix: see 'secretstore {name} --help'; write a file whose name starts with '-' as ./-name."));
                }
            }

            var optionalGiven = parse.GetValue(optionalFiles) ?? [];
            if (given.All(ConfigFileSpec.IsExclusion) && optionalGiven.Length == 0)
            {
                // Zero files is allowed by the parser only so that optional files alone can be given; exclusions alone
                // find nothing to resolve either.
                throw new UsageException($"No file was given to {name}. Fix: give file paths or globs, or --optional-file for ones that may find nothing.");
            }

            var chosen = ParseFormat(parse.GetValue(format));
            var options = new ResolveOptions
            {
                Store = context.StoreOptions.ToSelection(parse, context.Environment, application: parse.GetValue(app)),
                Files = [.. given.Select(f => new ConfigFileSpec(f, Format: chosen)), .. optionalGiven.Select(f => OptionalFile(f, chosen))],
                Mode = mode,
                AllowOptional = parse.GetValue(allowOptional),
                RequirePlaceholders = parse.GetValue(requirePlaceholders),
                Mappings = [.. (parse.GetValue(map) ?? []).Select(ParseMapping)],
                ReportPath = parse.GetValue(report),
                UpdateLock = alwaysUpdateLock || (mode != ResolveMode.List && parse.GetValue(updateLock)),
                BeforeWrite = mode == ResolveMode.Resolve ? forms => masker.Register(forms) : null,
            };

            // No progress in a CI run: the mask commands on stderr must start a line of their own, first.
            var showProgress = !context.Console.IsErrorRedirected && options.Files.Count > 1 && masker.System == CiSystem.None;
            if (showProgress)
            {
                context.Console.Error.Write(string.Create(CultureInfo.InvariantCulture, $"\r{name}: {options.Files.Count} entries..."));
            }

            var result = await context.Runner.ResolveAsync(options, token).ConfigureAwait(false);
            if (showProgress)
            {
                context.Console.Error.Write("\r" + new string(' ', name.Length + 24) + "\r");
            }

            foreach (var diagnostic in result.Diagnostics)
            {
                context.Console.Report(diagnostic);
            }

            WriteResults(context.Console, mode, result);
            if (result.LockWritten is { } lockFile)
            {
                context.Console.Error.WriteLine(LogText.Escape(string.Create(CultureInfo.InvariantCulture, $"{lockFile}: {result.LockedSecrets} secret(s) locked.")));
            }

            context.Console.Report(result.Summary!);
            CiStepOutputs.Write(masker.System, context.Environment, context.Console, result);
            return result.Succeeded ? ExitCodes.Success : ExitCodes.Failed;
        });
        return command;
    }

    /// <summary>The <c>--format</c> name, or null when not given; a name that is no format is a usage error (exit 2).</summary>
    private static Resolution.Formats.FileFormat? ParseFormat(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        return Resolution.Formats.FileFormatNames.TryParse(text, out var format)
            ? format
            : throw new UsageException($"--format '{text}' is not a file format; use one of {Resolution.Formats.FileFormatNames.Accepted}.");
    }

    /// <summary>An <c>--optional-file</c> path or glob; the engine's one rule refuses an exclusion there, which is a usage error (exit 2).</summary>
    private static ConfigFileSpec OptionalFile(string path, Resolution.Formats.FileFormat? format)
    {
        try
        {
            return ConfigFileSpec.OptionalEntry(path, "--optional-file", format);
        }
        catch (SecretStoreException ex) when (ex.Code == DiagnosticCodes.InvalidArgument)
        {
            throw new UsageException(ex.Diagnostics[0].Message);
        }
    }

    /// <summary><c>Path=Secret</c>, optional with a trailing <c>?</c>; the text is not repeated in the error (it may be a value).</summary>
    private static SecretMapping ParseMapping(string text)
    {
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0 || equals == text.Length - 1)
        {
            throw new UsageException($"--map takes <ConfigurationPath>=<Name or App/Name> (the text given is {UsageErrors.NotRepeated}).");
        }

        var secret = text[(equals + 1)..];
        var optional = secret.EndsWith('?');

        // Checked here, as a usage error that does not repeat the text; the resolver's own check quotes the name.
        if (!SecretReference.TryParse(optional ? secret[..^1] : secret, "application", out _, out _))
        {
            throw new UsageException($"--map names a secret that is not a valid Name or App/Name (the text given is {UsageErrors.NotRepeated}).");
        }

        return new SecretMapping { ConfigurationPath = text[..equals], Secret = optional ? secret[..^1] : secret, Optional = optional };
    }

    private static void WriteResults(CliConsole console, ResolveMode mode, RunResult result)
    {
        switch (mode)
        {
            case ResolveMode.Resolve:
                foreach (var file in result.WrittenFiles)
                {
                    console.WriteRow(file);
                }

                break;
            case ResolveMode.List:
                foreach (var secret in result.RequiredSecrets)
                {
                    console.WriteRow($"{secret.Application}/{secret.Name}", secret.Optional ? "optional" : "required", secret.References.ToString(CultureInfo.InvariantCulture));
                }

                break;
        }
    }
}
