using System.CommandLine;
using System.Globalization;
using SecretStore.Aws;
using SecretStore.Cli.Ci;
using SecretStore.Cli.Hosting;
using SecretStore.Cli.Options;
using SecretStore.Diagnostics;
using SecretStore.Resolution;
using SecretStore.Secrets;

namespace SecretStore.Cli.Commands;

/// <summary>
/// <c>resolve</c>, <c>verify</c>, <c>required</c>: the resolver's three modes over files and globs. Each is one
/// <see cref="SecretResolver.ResolveAsync"/> call; the CLI only expands arguments and reports.
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

    private static Command Build(CliContext context, string name, ResolveMode mode, string description)
    {
        var files = new Argument<string[]>("files") { Description = "Files or globs (*, **, ?); a leading '!' excludes.", Arity = ArgumentArity.OneOrMore };
        var app = EnvironmentOption.String("--app", "The application of placeholders that name none (#{secret:Name}).");
        var report = EnvironmentOption.String("--report", "Write a redacted report here (JSON, or Markdown for *.md).");
        var allowOptional = EnvironmentOption.Flag("--allow-optional", "true (default): a missing '|optional' secret keeps its placeholder with warning SSB1013; false: it is an error.", defaultValue: true);
        var requirePlaceholders = new Option<bool>("--require-placeholders") { Description = "Fail (SSB1010) when no file holds a placeholder." };
        var command = new Command(name, description) { files, app, report, allowOptional, requirePlaceholders };
        context.SetAction(command, async (parse, token) =>
        {
            var baseDirectory = Directory.GetCurrentDirectory();
            var expanded = FileGlobs.Expand(baseDirectory, parse.GetValue(files) ?? []);
            if (expanded.Count == 0)
            {
                throw new SecretStoreException(DiagnosticCodes.FileNotFound, "The file arguments match no file.");
            }

            var masker = new CiMasker(CiMasker.Detect(context.Environment), context.Console);
            var request = new ResolveRequest
            {
                Files = expanded,
                BaseDirectory = baseDirectory,
                DefaultApplication = parse.GetValue(app),
                Mode = mode,
                AllowOptional = parse.GetValue(allowOptional),
                RequirePlaceholders = parse.GetValue(requirePlaceholders),
                ReportPath = parse.GetValue(report),
                BeforeWrite = mode == ResolveMode.Resolve ? forms => masker.Register(forms) : null,
            };

            // No progress in a CI run: the mask commands on stderr must start a line of their own, first.
            var showProgress = !context.Console.IsErrorRedirected && expanded.Count > 1 && masker.System == CiSystem.None;
            if (showProgress)
            {
                context.Console.Error.Write(string.Create(CultureInfo.InvariantCulture, $"\r{name}: {expanded.Count} files..."));
            }

            ResolveResult result;
            if (mode == ResolveMode.List)
            {
                // List mode never touches the store, so none is needed.
                result = await new SecretResolver(NoStore.Instance).ResolveAsync(request, token).ConfigureAwait(false);
            }
            else
            {
                using var store = context.OpenStore(parse);
                result = await new SecretResolver(store).ResolveAsync(request, token).ConfigureAwait(false);
            }

            if (showProgress)
            {
                context.Console.Error.Write("\r" + new string(' ', name.Length + 24) + "\r");
            }

            foreach (var diagnostic in result.Diagnostics)
            {
                context.Console.Report(diagnostic);
            }

            WriteResults(context.Console, mode, result);
            context.Console.Report(new Diagnostic(
                DiagnosticCodes.Summary,
                DiagnosticSeverity.Info,
                string.Create(CultureInfo.InvariantCulture, $"{name}: {result.FilesScanned} file(s) read, {result.PlaceholderCount} placeholder(s) naming {result.SecretCount} secret(s), {result.FilesWritten} file(s) written, {result.Diagnostics.Count(d => d.Severity == DiagnosticSeverity.Error)} error(s).")));
            return result.Succeeded ? ExitCodes.Success : ExitCodes.Failed;
        });
        return command;
    }

    private static void WriteResults(CliConsole console, ResolveMode mode, ResolveResult result)
    {
        switch (mode)
        {
            case ResolveMode.Resolve:
                foreach (var file in result.Report.Files.Where(f => f.Written))
                {
                    console.WriteRow(file.Path);
                }

                break;
            case ResolveMode.List:
                foreach (var secret in result.Report.RequiredSecrets)
                {
                    console.WriteRow($"{secret.Application}/{secret.Name}", secret.Optional ? "optional" : "required", secret.References.ToString(CultureInfo.InvariantCulture));
                }

                break;
        }
    }

    /// <summary>The store of list mode: the resolver does not call it; if it ever did, that is a bug, not a value.</summary>
    private sealed class NoStore : ISecretStore
    {
        public static NoStore Instance { get; } = new();

        public Task<Secret> GetAsync(SecretId id, CancellationToken cancellationToken = default) => throw Unused();

        public Task<IReadOnlyDictionary<SecretId, Secret>> GetManyAsync(IEnumerable<SecretId> ids, CancellationToken cancellationToken = default) => throw Unused();

        public Task<IReadOnlyList<SecretMetadata>> ListAsync(string applicationName, CancellationToken cancellationToken = default) => throw Unused();

        public Task<SecretMetadata> SetAsync(SecretId id, string value, SetSecretOptions? options = null, CancellationToken cancellationToken = default) => throw Unused();

        public Task<bool> DeleteAsync(SecretId id, long? expectedRevision = null, CancellationToken cancellationToken = default) => throw Unused();

        private static SecretStoreException Unused() => new(DiagnosticCodes.UnexpectedError, "'required' does not read the store.");
    }
}
