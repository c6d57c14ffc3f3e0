using System.CommandLine;
using SecretStore.Aws.DynamoDb;
using SecretStore.Cli.Hosting;
using SecretStore.Configuration;

namespace SecretStore.Cli.Commands;

/// <summary><c>table create</c>: the DynamoDB secrets table (idempotent).</summary>
internal static class TableCommands
{
    public static Command Create(CliContext context)
    {
        var command = new Command("table", "Manages the DynamoDB secrets table.");
        var timeout = new Option<int>("--timeout") { Description = "Seconds to wait for the table to become ACTIVE.", DefaultValueFactory = _ => 120 };
        var create = new Command("create", "Creates the table of --store dynamodb:<table> (on-demand billing) and waits until it is ACTIVE; an existing table with the right key schema is fine.")
        {
            timeout,
        };
        context.SetAction(create, async (parse, token) =>
        {
            var settings = context.Settings(parse).Store;
            if (settings.Storage != StorageKind.DynamoDb)
            {
                throw new UsageException("table create needs DynamoDB storage: --store dynamodb:<table>, or a settings file environment with a dynamodb:<table> storage.");
            }

            using var repository = DynamoDbSecretRepository.Create(settings);
            var created = await repository.CreateTableAsync(TimeSpan.FromSeconds(Math.Max(1, parse.GetValue(timeout))), token).ConfigureAwait(false);
            context.Console.WriteRow(settings.Table, created ? "created" : "exists");
            return ExitCodes.Success;
        });
        command.Subcommands.Add(create);
        return command;
    }
}
