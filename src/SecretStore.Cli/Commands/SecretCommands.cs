using System.CommandLine;
using System.Globalization;
using System.Text;
using SecretStore.Cli.Ci;
using SecretStore.Cli.Hosting;
using SecretStore.Cli.Options;
using SecretStore.Diagnostics;
using SecretStore.Resolution;
using SecretStore.Secrets;
using SecretStore.Stores;

namespace SecretStore.Cli.Commands;

/// <summary><c>set</c>, <c>get</c>, <c>list</c>, <c>history</c>, <c>rollback</c>, <c>delete</c>: one store call each.</summary>
internal static class SecretCommands
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static Command Set(CliContext context)
    {
        var id = IdArgument();
        var keyId = EnvironmentOption.String("--key-id", "The master key to protect the value with (default: the store's default key).");
        var ifRevision = new Option<long?>("--if-revision") { Description = "Optimistic concurrency: write only if the stored revision is still N (0: the secret must not exist yet)." };
        var trim = new Option<bool>("--trim-newline") { Description = "Drop one trailing line break from standard input (what 'echo' adds)." };
        var allowEmpty = new Option<bool>("--allow-empty") { Description = "Store an empty or whitespace-only value (default: refuse it, SSB2017, and write nothing)." };
        var command = new Command("set", "Stores a secret. The value comes from standard input, or from a prompt without echo on a terminal; never from the command line.")
        {
            id, keyId, ifRevision, trim, allowEmpty,
        };
        context.SetAction(command, async (parse, token) =>
        {
            var secretId = context.ParseId(parse, parse.GetValue(id));
            var revision = parse.GetValue(ifRevision);
            if (revision < 0)
            {
                throw new UsageException("--if-revision must be 0 or more.");
            }

            var value = context.Console.IsInputRedirected
                ? await ReadStandardInputAsync(context.Console, secretId, token).ConfigureAwait(false)
                : Prompt(context.Console, secretId);
            if (parse.GetValue(trim))
            {
                value = value.EndsWith("\r\n", StringComparison.Ordinal) ? value[..^2] : value.EndsWith('\n') ? value[..^1] : value;
            }
            else if (context.Console.IsInputRedirected && value.EndsWith('\n'))
            {
                // `echo "$V" |` and here-strings add one; a connection string or token with it breaks at run time.
                // Stored as read (a PEM or a multi-line value may want it), but said, with both ways out.
                context.Console.Warn(
                    DiagnosticCodes.TrailingLineBreak,
                    $"The value read from standard input for '{secretId}' ends with a line break, which is stored as part of it (what echo and <<< add). " +
                    "Fix: pipe it with printf '%s' \"$VALUE\", or pass --trim-newline to drop it; ignore this when the value needs it.");
            }

            using var store = context.OpenStore(parse, parse.GetValue(keyId));
            var options = new SetSecretOptions { KeyId = parse.GetValue(keyId), ExpectedRevision = revision, AllowEmpty = parse.GetValue(allowEmpty) };
            var metadata = await store.SetAsync(secretId, value, options, token).ConfigureAwait(false);

            // Which revision was replaced goes to stderr (stdout keeps its one result row for scripts).
            context.Console.Error.WriteLine(LogText.Escape($"{metadata.Id}: {metadata.RevisionChange}"));
            foreach (var warning in WriteWarnings.Of(metadata))
            {
                context.Console.Report(warning);
            }

            context.Console.WriteRow(metadata.Id.ToString(), string.Create(CultureInfo.InvariantCulture, $"revision {metadata.Revision}"), metadata.Format.ToString(), KeyColumn.Of(metadata));
            return ExitCodes.Success;
        });
        return command;
    }

    public static Command Get(CliContext context)
    {
        var id = IdArgument();
        var revision = new Option<long?>("--revision") { Description = "Exactly revision N of the secret ('secretstore history' lists them); one the store does not keep, or a deletion, is error SSB2019." };
        var command = new Command("get", "Writes a secret's value to standard output: exactly its UTF-8 bytes, with no line break added (for piping). In a GitHub Actions or Azure Pipelines run, the value is registered with the log masker first, on stderr.") { id, revision };
        context.SetAction(command, async (parse, token) =>
        {
            var reference = context.ParseReference(parse, parse.GetValue(id));
            var secretId = reference.Id;
            var asked = parse.GetValue(revision);
            if (reference.Revision is { } inId && asked is { } inOption && inId != inOption)
            {
                throw new UsageException($"The id pins one revision and --revision names another ({UsageErrors.NotRepeated}). Fix: give the revision once.");
            }

            // In a CI run the value is masked first, on stderr, as resolve does: stdout is the value itself.
            var masker = CliMasks.ForValues(context);
            using var store = context.OpenStore(parse);
            var secret = (reference.Revision ?? asked) is { } pinned
                ? await store.GetRevisionAsync(secretId, pinned, token).ConfigureAwait(false)
                : await store.GetAsync(secretId, token).ConfigureAwait(false);
            // The runner reads stdout and stderr on two threads; a value printed straight to the log could
            // otherwise be processed before its mask command. The pause lets the stderr reader take it first.
            await masker.RegisterAndSettleAsync(ResolvedValueForms.OfPrintedValue(secretId, secret.Value), token).ConfigureAwait(false);

            var bytes = StrictUtf8.GetBytes(secret.Value);
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

    public static Command List(CliContext context)
    {
        var app = new Argument<string?>("app") { Description = "The application (default: list the applications of the store, one per line).", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("list", "Lists an application's secrets: name, revision, format and key id, tab-separated; never values. Without an application, lists the store's applications.") { app };
        context.SetAction(command, async (parse, token) =>
        {
            var application = parse.GetValue(app);
            using var store = context.OpenStore(parse);
            if (application is null)
            {
                // Where a new user starts: which applications are there at all (names only, nothing decrypted).
                foreach (var name in await store.ListApplicationsAsync(token).ConfigureAwait(false))
                {
                    context.Console.WriteRow(name);
                }

                return ExitCodes.Success;
            }

            if (application.Length == 0)
            {
                throw new UsageException("list needs a non-empty application name (or none, to list the applications).");
            }

            foreach (var metadata in await store.ListAsync(application, token).ConfigureAwait(false))
            {
                context.Console.WriteRow(metadata.Id.Name, metadata.HasInvalidRevision ? "invalid" : metadata.Revision.ToString(CultureInfo.InvariantCulture), metadata.Format.ToString(), KeyColumn.Of(metadata));
                if (metadata.HasInvalidRevision)
                {
                    context.Console.Warn(DiagnosticCodes.RevisionOutOfRange, $"'{metadata.Id}' has a revision that is not a whole number from 1 to {long.MaxValue}; reading or writing it is refused.");
                }

                if (metadata.IsKeyAllowed == false)
                {
                    // Rows stay four columns for scripts; the flag goes to stderr as a coded warning.
                    context.Console.Warn(DiagnosticCodes.MasterKeyNotAllowed, $"'{metadata.Id}' is protected by master key '{metadata.MasterKeyId}', which is not one of the allowed master keys; reading it is refused.");
                }
            }

            return ExitCodes.Success;
        });
        return command;
    }

    public static Command History(CliContext context)
    {
        var id = IdArgument();
        var command = new Command("history", "Lists the revisions of a secret the store keeps, oldest first, one tab-separated row each: revision, time written (UTC), format, key id, writer, and 'current' or 'deleted' ('-' where unknown or neither); never values. A secret with no history is error SSB2001.") { id };
        context.SetAction(command, async (parse, token) =>
        {
            var secretId = context.ParseId(parse, parse.GetValue(id));
            using var store = context.OpenStore(parse);
            var history = await store.GetHistoryAsync(secretId, token).ConfigureAwait(false);
            if (history.Count == 0)
            {
                // As get does for a missing secret: a coded error, so a script cannot take "no rows" for "no changes".
                throw new SecretStoreException(
                    DiagnosticCodes.SecretNotFound,
                    $"Secret '{secretId}' has no history in this store: it never existed, or it was purged (delete --purge). Fix: 'secretstore list {secretId.ApplicationName}' shows the names it has.");
            }

            foreach (var revision in history)
            {
                context.Console.WriteRow(
                    revision.Revision.ToString(CultureInfo.InvariantCulture),
                    revision.WrittenAt is { } at ? at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) : Unknown,
                    revision.Format?.ToString() ?? Unknown,
                    revision.Recipients.Count > 0 ? string.Join(',', revision.Recipients) : revision.MasterKeyId ?? Unknown,
                    string.IsNullOrWhiteSpace(revision.Writer) ? Unknown : revision.Writer,
                    revision.IsDeletion ? "deleted" : revision.IsCurrent ? "current" : Unknown);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    public static Command Rollback(CliContext context)
    {
        var id = IdArgument();
        var to = new Option<long>("--to") { Description = "The revision whose value to write again ('secretstore history' lists them).", Required = true };
        var keyId = EnvironmentOption.String("--key-id", "The master key to protect the value with (default: the store's default key).");
        var ifRevision = new Option<long?>("--if-revision") { Description = "Optimistic concurrency: write only if the stored revision is still N (0: the secret must not exist, as after a delete)." };
        var command = new Command("rollback", "Writes the value of an earlier revision again, as a new revision under a fresh data key; the revisions in between stay in the history. The value is never printed.")
        {
            id, to, keyId, ifRevision,
        };
        context.SetAction(command, async (parse, token) =>
        {
            var secretId = context.ParseId(parse, parse.GetValue(id));
            var expected = parse.GetValue(ifRevision);
            if (expected < 0)
            {
                throw new UsageException("--if-revision must be 0 or more.");
            }

            var from = parse.GetValue(to);
            using var store = context.OpenStore(parse, parse.GetValue(keyId));
            var options = new SetSecretOptions { KeyId = parse.GetValue(keyId), ExpectedRevision = expected };
            var metadata = await store.RollbackAsync(secretId, from, options, token).ConfigureAwait(false);

            // As set: what happened to the revision on stderr, the one result row on stdout.
            context.Console.Error.WriteLine(LogText.Escape(string.Create(CultureInfo.InvariantCulture, $"{metadata.Id}: {metadata.RevisionChange}, with the value of revision {from}")));
            foreach (var warning in WriteWarnings.Of(metadata))
            {
                context.Console.Report(warning);
            }

            context.Console.WriteRow(metadata.Id.ToString(), string.Create(CultureInfo.InvariantCulture, $"revision {metadata.Revision}"), metadata.Format.ToString(), KeyColumn.Of(metadata));
            return ExitCodes.Success;
        });
        return command;
    }

    public static Command Delete(CliContext context)
    {
        var id = IdArgument();
        var ifRevision = new Option<long?>("--if-revision") { Description = "Delete only if the stored revision is still N." };
        var purge = new Option<bool>("--purge") { Description = "Also remove every earlier revision: the secret and its whole history go, and no rollback can bring it back. Works on a secret already deleted (its history only)." };
        var command = new Command("delete", "Deletes a secret; its history is kept (a deletion revision is added) unless --purge. A secret that does not exist is error SSB2001.") { id, ifRevision, purge };
        context.SetAction(command, async (parse, token) =>
        {
            var secretId = context.ParseId(parse, parse.GetValue(id));
            var expected = parse.GetValue(ifRevision);
            if (parse.GetValue(purge))
            {
                if (expected is not null)
                {
                    // The store's purge takes no revision: a guard here would be checked apart from the purge itself.
                    throw new UsageException("--if-revision cannot guard --purge, which removes every revision whatever the current one is; delete with --if-revision first, then purge.");
                }

                using var purging = context.OpenStore(parse);
                if (!await purging.PurgeAsync(secretId, token).ConfigureAwait(false))
                {
                    throw new SecretNotFoundException(secretId);
                }

                context.Console.Error.WriteLine(LogText.Escape($"{secretId}: deleted with its whole history; nothing of it is kept."));
                context.Console.WriteRow(secretId.ToString(), "purged");
                return ExitCodes.Success;
            }

            using var store = context.OpenStore(parse);
            if (!await store.DeleteAsync(secretId, expected, token).ConfigureAwait(false))
            {
                throw new SecretNotFoundException(secretId);
            }

            context.Console.Error.WriteLine(LogText.Escape($"{secretId}: deleted (history kept: 'secretstore history {secretId}' lists it, 'rollback --to N' restores a revision, 'delete --purge' removes it)."));
            context.Console.WriteRow(secretId.ToString(), "deleted");
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>A history field that is unknown (a row written before history) or does not apply (a deletion has no key).</summary>
    private const string Unknown = "-";

    private static Argument<string> IdArgument() => new("id") { Description = "The secret as <app>/<name> (the application ends at the first '/')." };

    private static async Task<string> ReadStandardInputAsync(CliConsole console, SecretId id, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await console.In.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        var bytes = buffer.GetBuffer();
        try
        {
            return StrictUtf8.GetString(bytes, 0, (int)buffer.Length);
        }
        catch (DecoderFallbackException)
        {
            throw new SecretStoreException(DiagnosticCodes.InvalidSecret, $"The value given for '{id}' on standard input is not valid UTF-8.");
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(bytes);
        }
    }

    private static string Prompt(CliConsole console, SecretId id)
    {
        console.Error.Write($"Value for {id} (input hidden): ");
        var value = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                break;
            }

            if (key.Key == ConsoleKey.Backspace)
            {
                if (value.Length > 0)
                {
                    value.Length--;
                }

                continue;
            }

            if (key.KeyChar != '\0')
            {
                value.Append(key.KeyChar);
            }
        }

        console.Error.WriteLine();
        return value.ToString();
    }
}
