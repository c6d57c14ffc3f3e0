using System.CommandLine;
using System.Globalization;
using SecretStore.Aws;
using SecretStore.Cli.Hosting;
using SecretStore.Stores;

namespace SecretStore.Cli.Commands;

/// <summary><c>rewrap</c>: v1 records to v2, or every record to a new key; values stay inside the engine.</summary>
internal static class RewrapCommand
{
    public static Command Create(CliContext context)
    {
        var app = new Argument<string>("app") { Description = "The application whose secrets are rewrapped." };
        var keyId = new Option<string?>("--key-id") { Description = "Move every record to this master key (default: keep each record's key; v1 records still become v2)." };
        var names = new Option<string[]>("--name") { Description = "Only these secret names (repeatable).", AllowMultipleArgumentsPerToken = true };
        var dryRun = new Option<bool>("--dry-run") { Description = "Show what would change; write nothing." };
        var compareWith = new Option<FileInfo?>("--compare-with") { Description = "A trusted earlier copy of the store file: each v1 row to convert must be in it unchanged (SSB2013 otherwise; nothing is written)." };
        var command = new Command("rewrap", "Re-encrypts secrets in the current format (envelope version 3, bound to the store's id) without showing their values, optionally for other recipients (--recipients) or under another key (--key-id).")
        {
            app, keyId, names, dryRun, compareWith,
        };
        context.SetAction(command, async (parse, token) =>
        {
            var application = parse.GetValue(app);
            if (string.IsNullOrEmpty(application))
            {
                throw new UsageException("rewrap needs an application name.");
            }

            using var store = context.OpenStore(parse);

            // The raw rows, for the checks the engine makes before it converts any v1 row (SSB2012, SSB2013).
            var repository = store.Repository;
            var listed = await store.ListAsync(application, token).ConfigureAwait(false);
            using var progress = new TerminalProgress(context.Console, "Rewrapping", listed.Count);
            var options = new RewrapOptions
            {
                KeyId = parse.GetValue(keyId),
                Recipients = store.Options.Recipients,
                Names = parse.GetValue(names),
                DryRun = parse.GetValue(dryRun),
                Repository = repository,
                TrustedCopyPath = parse.GetValue(compareWith)?.FullName,
            };
            var outcomes = await SecretRewrapper.RewrapAsync(store, application, options, progress, token).ConfigureAwait(false);
            foreach (var outcome in outcomes)
            {
                var state = !outcome.Changed ? "unchanged" : options.DryRun ? "would rewrap" : "rewrapped";
                context.Console.WriteRow(
                    outcome.Id.ToString(),
                    state,
                    $"{outcome.Before.Format} {KeyColumn.Of(outcome.Before)} -> {Target(outcome, options)}",
                    string.Create(CultureInfo.InvariantCulture, $"revision {outcome.After.Revision}"));
            }

            return ExitCodes.Success;
        });
        return command;
    }

    // A dry run writes nothing, so its target is what a real run would write: v2 for the chosen recipients.
    private static string Target(RewrapOutcome outcome, RewrapOptions options) =>
        options.DryRun && outcome.Changed
            ? $"{Repositories.ProtectedSecretFormat.V2} {(options.Recipients is { Count: > 0 } r ? string.Join(',', r) : options.KeyId ?? KeyColumn.Of(outcome.Before))}"
            : $"{outcome.After.Format} {KeyColumn.Of(outcome.After)}";
}
