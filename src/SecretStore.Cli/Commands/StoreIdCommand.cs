using System.CommandLine;
using SecretStore.Cli.Hosting;
using SecretStore.Diagnostics;

namespace SecretStore.Cli.Commands;

/// <summary>
/// <c>store-id [--create]</c>: prints the store's id (docs/format.md, "Store id"), which new records are bound to so that a
/// record copied in from another store is refused (SSB3014). A store made by this version has one; <c>--create</c> gives
/// one to an older store (then <c>rewrap</c> binds its records).
/// </summary>
internal static class StoreIdCommand
{
    public static Command Create(CliContext context)
    {
        var create = new Option<bool>("--create") { Description = "Give the store an id if it has none (a store written before store ids); then 'rewrap' binds its records to it. Do it once, on the main branch: two branches that each create one conflict." };
        var command = new Command("store-id", "Prints the store's id, which new records are bound to (a record copied in from another store is refused, SSB3014); nothing when it has none.") { create };
        context.SetAction(command, async (parse, token) =>
        {
            var settings = context.Settings(parse);
            var repository = context.Runner.OpenRepository(settings);
            try
            {
                var id = parse.GetValue(create)
                    ? await repository.EnsureStoreIdAsync(createForExisting: true, token).ConfigureAwait(false)
                        ?? throw new SecretStoreException(DiagnosticCodes.InvalidStoreConfiguration, $"This store ({settings.Store.Storage}) keeps no store id: its records are not bound to a store (docs/format.md, \"Store id\").")
                    : await repository.GetStoreIdAsync(token).ConfigureAwait(false);
                if (id is null)
                {
                    context.Console.Warn(DiagnosticCodes.RecordFromAnotherStore, "This store has no store id, so its records are not bound to it; 'secretstore store-id --create' gives it one, and 'secretstore rewrap <app>' then binds the records.");
                }
                else
                {
                    context.Console.WriteRow(id);
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
