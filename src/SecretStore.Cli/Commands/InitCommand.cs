using System.CommandLine;
using System.Text;
using SecretStore.Cli.Hosting;
using SecretStore.Configuration.Settings;
using SecretStore.Keys.Rsa;

namespace SecretStore.Cli.Commands;

/// <summary>
/// <c>init [dir]</c>: the first step of a new user. Writes a commented <c>secretstore.json</c> (file storage with RSA
/// protection under <c>.secretstore/</c>, and a Production environment on DynamoDB + KMS to uncomment), the keyring,
/// and a <c>.secretstore/.gitignore</c> that keeps private keys and lock files out of source control. Nothing is
/// overwritten: an existing settings file or keyring is a usage error before anything is written.
/// </summary>
internal static class InitCommand
{
    /// <summary>Where init puts the store file and the keyring, relative to the settings file.</summary>
    public const string StoreFolder = ".secretstore";

    private static readonly string[] IgnoredPatterns = ["*.private.pem", "*.lock"];

    public static Command Create(CliContext context)
    {
        var dir = new Argument<DirectoryInfo?>("dir") { Description = "The folder for secretstore.json (default: the current folder), usually the repository root.", Arity = ArgumentArity.ZeroOrOne };
        var keyId = new Option<string>("--key-id") { Description = "The id of the keyring's first key.", DefaultValueFactory = _ => KeysCommands.DefaultKeyId };
        var application = new Option<string?>("--application") { Description = "The default application of #{secret:Name} placeholders (MSBuild uses the project's AssemblyName when unset)." };
        var command = new Command("init", "Writes a commented secretstore.json, an RSA keyring in .secretstore/keyring and a .gitignore for its private keys; prints the files written.")
        {
            dir, keyId, application,
        };
        context.SetAction(command, (parse, _) =>
        {
            var root = Path.GetFullPath(parse.GetValue(dir)?.FullName ?? Directory.GetCurrentDirectory());
            var settingsPath = Path.Combine(root, SettingsFile.FileName);
            var keyringPath = Path.Combine(root, StoreFolder, "keyring");
            var gitignorePath = Path.Combine(root, StoreFolder, ".gitignore");
            var id = parse.GetValue(keyId);
            if (string.IsNullOrWhiteSpace(id))
            {
                throw new UsageException("--key-id must not be empty.");
            }

            // Both checks first: init either writes everything or nothing.
            if (File.Exists(settingsPath))
            {
                throw new UsageException($"'{settingsPath}' already exists; edit it (docs/settings.md), or delete it to start over.");
            }

            if (File.Exists(Path.Combine(keyringPath, RsaKeyring.IndexFileName)))
            {
                throw new UsageException($"A keyring already exists in '{keyringPath}'; add keys with 'secretstore keys add', or delete the folder to start over.");
            }

            using (RsaKeyring.Create(keyringPath, id.Trim(), RsaKeyring.DefaultKeySizeInBits))
            {
            }

            var gitignoreChanged = GitignoreFile.Ensure(gitignorePath, "Written by 'secretstore init': private keys and store lock files never go into source control.", IgnoredPatterns);
            PublicFile.Create(settingsPath, SettingsText(parse.GetValue(application)));
            context.Console.WriteRow(settingsPath);
            context.Console.WriteRow(Path.Combine(keyringPath, RsaKeyring.IndexFileName));
            if (gitignoreChanged)
            {
                context.Console.WriteRow(gitignorePath);
            }

            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }

    /// <summary>The starter file: every line a user may want to change is commented, the reader skips comments.</summary>
    internal static string SettingsText(string? application)
    {
        var applicationLine = string.IsNullOrWhiteSpace(application)
            ? "  // \"application\": \"Shop\",       // the application of #{secret:Name}; MSBuild defaults to the AssemblyName"
            : $"  \"application\": {System.Text.Json.JsonSerializer.Serialize(application.Trim())},";
        return $$"""
            // SecretStore settings, read by `dotnet publish` (SecretStore.Build), the Cake addin and the secretstore CLI.
            // Found by walking up from the project or working folder, like global.json. Reference: docs/settings.md.
            {
              "$schema": "https://secretstore.build/schemas/secretstore.schema.json",
            {{applicationLine}}

              // Secrets live in a store file committed with the code, each value encrypted under its own data key,
              // the data keys wrapped by the keyring's RSA keys. Private keys stay on this machine (.gitignore);
              // CI gets a reader secret: `secretstore keys export-reader .secretstore/keyring`.
              "storage": "file:.secretstore/secrets.json",
              "protection": "rsa:.secretstore/keyring",

              // Every write keeps the earlier revisions (`secretstore history App/Name`); keep only the newest N:
              // "keepRevisions": 20,
              // `secretstore lock <files>` writes secretstore.lock.json beside this file: commit it, and a rollback of a
              // locked secret fails every publish (docs/cli.md, "The lock file").

              // Named environments override the members above; pick one with --env / SECRETSTORE_ENV (CLI),
              // SecretStoreEnvironment (MSBuild) or Environment (Cake).
              "environments": {
                // "Production": {
                //   "storage": "dynamodb:secrets-prod",
                //   "protection": "kms",
                //   "keyId": "alias/secretstore/shop/prod",
                //   "region": "eu-west-1"
                // }
              }
            }

            """;
    }
}
