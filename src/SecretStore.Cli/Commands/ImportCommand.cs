using System.CommandLine;
using System.Globalization;
using SecretStore.Aws;
using SecretStore.Cli.Hosting;
using SecretStore.Diagnostics;
using SecretStore.Repositories.Import;

namespace SecretStore.Cli.Commands;

/// <summary>
/// <c>import &lt;file&gt;</c>: protected records into any store, byte for byte, without keys: a JSON array of
/// reference records, a file store, or an <c>aws dynamodb scan</c> dump.
/// </summary>
internal static class ImportCommand
{
    public static Command Create(CliContext context)
    {
        var file = new Argument<FileInfo>("file") { Description = "A JSON array of records, a file store, or an 'aws dynamodb scan' dump ({\"Items\":[...]})." };
        var overwrite = new Option<bool>("--overwrite") { Description = "Replace secrets that exist with other content (default: refuse, SSB2002, and import nothing)." };
        var command = new Command("import", "Imports protected records as they are (nothing is decrypted, no key is needed); identical records are skipped.") { file, overwrite };
        context.SetAction(command, async (parse, token) =>
        {
            var path = parse.GetRequiredValue(file).FullName;
            byte[] content;
            try
            {
                content = await File.ReadAllBytesAsync(path, token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new SecretStoreException([new Diagnostic(DiagnosticCodes.FileNotFound, DiagnosticSeverity.Error, $"The import file cannot be read ({ex.GetType().Name}).", path)]);
            }

            var records = ProtectedSecretRecordImport.Parse(content, path);
            var settings = context.Settings(parse);
            var repository = context.Runner.OpenRepository(settings);
            try
            {
                using var progress = new TerminalProgress(context.Console, "Importing", records.Count);
                var outcomes = await ProtectedSecretImporter.ImportAsync(
                    repository,
                    records,
                    new ProtectedSecretImportOptions { Overwrite = parse.GetValue(overwrite), AllowV1 = settings.Store.AllowV1, SourcePath = path },
                    progress,
                    token).ConfigureAwait(false);
                foreach (var outcome in outcomes)
                {
                    if (outcome.Status == ProtectedSecretImportStatus.Unchanged)
                    {
                        context.Console.WriteRow(outcome.Record.Id.ToString(), "unchanged");
                    }
                    else
                    {
                        context.Console.WriteRow(outcome.Record.Id.ToString(), "imported", string.Create(CultureInfo.InvariantCulture, $"revision {outcome.Revision}"), outcome.Record.Format.ToString(), outcome.Record.MasterKeyId);
                    }
                }
            }
            finally
            {
                (repository as IDisposable)?.Dispose();
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
