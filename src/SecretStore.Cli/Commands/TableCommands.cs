using System.CommandLine;
using SecretStore.Aws.DynamoDb;
using SecretStore.Cli.Hosting;
using SecretStore.Configuration;
using SecretStore.PostgreSql;

namespace SecretStore.Cli.Commands;

/// <summary>
/// <c>table create</c>: the DynamoDB secrets and history tables, or the PostgreSQL schema (idempotent); <c>table sql</c>:
/// the PostgreSQL script and grants, for a database administrator who runs DDL by hand.
/// </summary>
internal static class TableCommands
{
    public static Command Create(CliContext context)
    {
        var command = new Command("table", "Manages the store's tables: the DynamoDB table and its history table, or the PostgreSQL schema.");
        var timeout = new Option<int>("--timeout") { Description = "Seconds to wait for the table to become ACTIVE.", DefaultValueFactory = _ => 120 };
        var create = new Command("create", "Creates the table of --store dynamodb:<table> (on-demand billing) and waits until it is ACTIVE, or the schema of --store postgres:<variable> (run it as the role that is to own the schema); an existing one with the right layout is fine.")
        {
            timeout,
        };
        context.SetAction(create, async (parse, token) =>
        {
            var settings = context.Settings(parse).Store;
            if (settings.Storage == StorageKind.PostgreSql)
            {
                await using var postgres = PostgreSqlSecretRepository.Create(settings);
                var made = await postgres.CreateSchemaAsync(token).ConfigureAwait(false);
                context.Console.WriteRow(StoreSpec.DescribeStorage(settings), made ? "created" : "exists");
                return ExitCodes.Success;
            }

            if (settings.Storage != StorageKind.DynamoDb)
            {
                throw new UsageException("table create needs DynamoDB or PostgreSQL storage: --store dynamodb:<table> or --store postgres:<variable>, or a settings file environment with such a storage.");
            }

            using var repository = DynamoDbSecretRepository.Create(settings);
            var created = await repository.CreateTableAsync(TimeSpan.FromSeconds(Math.Max(1, parse.GetValue(timeout))), token).ConfigureAwait(false);
            context.Console.WriteRow(settings.Table, created ? "created" : "exists");
            return ExitCodes.Success;
        });
        command.Subcommands.Add(create);
        command.Subcommands.Add(Sql(context));
        return command;
    }

    /// <summary><c>table sql</c>: prints the PostgreSQL script, and the grants of reader and writer roles; connects to nothing.</summary>
    private static Command Sql(CliContext context)
    {
        var schema = new Option<string>("--schema") { Description = "The schema's name.", DefaultValueFactory = _ => PostgreSqlSchema.DefaultName };
        var reader = new Option<string[]>("--reader") { Description = "ROLE=App: the grants and access row of a role that may only read App's rows (repeatable).", AllowMultipleArgumentsPerToken = false };
        var writer = new Option<string[]>("--writer") { Description = "ROLE or ROLE=App: the grants and access row of a role that may write (every application, or App) (repeatable).", AllowMultipleArgumentsPerToken = false };
        var grantsOnly = new Option<bool>("--grants-only") { Description = "Print only the grants, not the schema." };
        var sql = new Command("sql", "Prints the SQL that 'table create' runs for PostgreSQL storage, and the grants of reader and writer roles (docs/postgres.md), for review or for an administrator to run; connects to nothing.")
        {
            schema, reader, writer, grantsOnly,
        };
        context.SetAction(sql, (parse, _) =>
        {
            var name = parse.GetValue(schema) ?? PostgreSqlSchema.DefaultName;
            if (!PostgreSqlSchema.IsValidName(name))
            {
                throw new UsageException("--schema is lower-case ASCII letters, digits and '_', at most 63 characters, and not public, information_schema or a pg_ name (the store keeps a schema of its own).");
            }

            var script = new PostgreSqlSchema(name);
            var text = new System.Text.StringBuilder();
            if (!parse.GetValue(grantsOnly))
            {
                text.Append(script.CreateScript());
            }

            foreach (var entry in parse.GetValue(reader) ?? [])
            {
                var (role, application) = RoleAndApplication("--reader", entry, required: true);
                text.Append('\n').Append(script.ReaderGrantScript(role, application!));
            }

            foreach (var entry in parse.GetValue(writer) ?? [])
            {
                var (role, application) = RoleAndApplication("--writer", entry, required: false);
                text.Append('\n').Append(script.WriterGrantScript(role, application ?? "*"));
            }

            context.Console.Out.Write(text.ToString());
            return Task.FromResult(ExitCodes.Success);
        });
        return sql;
    }

    private static (string Role, string? Application) RoleAndApplication(string option, string entry, bool required)
    {
        var split = entry.IndexOf('=', StringComparison.Ordinal);
        var role = (split < 0 ? entry : entry[..split]).Trim();
        var application = split < 0 ? null : entry[(split + 1)..].Trim();
        if (role.Length == 0 || (required && string.IsNullOrEmpty(application)) || application is { Length: 0 })
        {
            throw new UsageException($"{option} takes ROLE=App{(required ? string.Empty : " or ROLE")}; '{entry}' is not that form.");
        }

        return (role, application);
    }
}
