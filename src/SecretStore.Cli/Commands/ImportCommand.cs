using System.CommandLine;
using SecretStore.Aws;
using SecretStore.Cli.Hosting;
using SecretStore.Diagnostics;
using SecretStore.Repositories;
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
        var overwrite = new Option<bool>("--overwrite") { Description = "Replace secrets that exist with other content (default: refuse, SSB2002)." };
        var command = new Command("import", "Imports protected records as they are (nothing is decrypted); identical records are skipped.") { file, overwrite };
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
            var repository = SecretStoreFactory.OpenRepository(context.StoreOptions.ToSettings(parse));
            try
            {
                // Every conflict is found before anything is written, so a refused import changes nothing.
                var plan = new List<(ProtectedSecretRecord Record, long Expected)>();
                var conflicts = new List<Diagnostic>();
                foreach (var record in records)
                {
                    var existing = await repository.GetAsync(record.Id, token).ConfigureAwait(false);
                    if (existing is not null && SameProtectedContent(existing, record))
                    {
                        context.Console.Out.WriteLine($"{record.Id}\tunchanged");
                        continue;
                    }

                    if (existing is not null && !parse.GetValue(overwrite))
                    {
                        conflicts.Add(new Diagnostic(DiagnosticCodes.ConcurrencyConflict, DiagnosticSeverity.Error, $"Secret '{record.Id}' already exists with other content; pass --overwrite to replace it. Nothing was imported.", path));
                        continue;
                    }

                    plan.Add((record, existing?.Revision ?? 0));
                }

                if (conflicts.Count > 0)
                {
                    throw new SecretStoreException(conflicts);
                }

                using var progress = new TerminalProgress(context.Console, "Importing", plan.Count);
                var done = 0;
                foreach (var (record, expected) in plan)
                {
                    var revision = await repository.SaveAsync(record, expected, token).ConfigureAwait(false);
                    context.Console.Out.WriteLine($"{record.Id}\timported\trevision {revision}\t{record.Format}\t{record.MasterKeyId}");
                    progress.Report(++done);
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

    private static bool SameProtectedContent(ProtectedSecretRecord a, ProtectedSecretRecord b) =>
        a.Format == b.Format
        && string.Equals(a.MasterKeyId, b.MasterKeyId, StringComparison.Ordinal)
        && Same(a.ProtectedDocumentKey, b.ProtectedDocumentKey)
        && Same(a.InitialisationVector, b.InitialisationVector)
        && Same(a.ProtectedSecretValue, b.ProtectedSecretValue)
        && Same(a.Envelope, b.Envelope);

    private static bool Same(byte[]? a, byte[]? b) => a is null ? b is null : b is not null && a.AsSpan().SequenceEqual(b);
}
