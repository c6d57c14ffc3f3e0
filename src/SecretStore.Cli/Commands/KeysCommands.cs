using System.CommandLine;
using System.Globalization;
using SecretStore.Cli.Hosting;
using SecretStore.Diagnostics;
using SecretStore.Keys.Rsa;

namespace SecretStore.Cli.Commands;

/// <summary><c>keys init|add|list|export-reader</c>: the RSA keyring of the file store.</summary>
internal static class KeysCommands
{
    public const string DefaultKeyId = "default";

    /// <summary>The private key files of a keyring (signing.private.pem, keys/*.private.pem), for its .gitignore.</summary>
    public const string PrivateKeyPattern = "*.private.pem";

    public static Command Create(CliContext context)
    {
        var command = new Command("keys", "Manages an RSA keyring folder (keyring.json and PEM files) for the file store.");
        command.Subcommands.Add(Init(context));
        command.Subcommands.Add(Add(context));
        command.Subcommands.Add(Remove(context));
        command.Subcommands.Add(List(context));
        command.Subcommands.Add(ExportReader(context));
        return command;
    }

    private static Argument<string> DirectoryArgument() => new("dir") { Description = "The keyring folder." };

    private static Command Init(CliContext context)
    {
        var dir = DirectoryArgument();
        var keyId = new Option<string>("--key-id") { Description = "The id of the first key.", DefaultValueFactory = _ => DefaultKeyId };
        var size = new Option<int>("--key-size") { Description = "RSA key size in bits (at least 2048).", DefaultValueFactory = _ => RsaKeyring.DefaultKeySizeInBits };
        var command = new Command("init", "Creates a keyring with one encryption key (the default) and a signing key; private key files are owner-only. Prints the key id.")
        {
            dir, keyId, size,
        };
        context.SetAction(command, (parse, _) =>
        {
            var folder = parse.GetRequiredValue(dir);
            using var keyring = RsaKeyring.Create(folder, RequireText(parse.GetValue(keyId), "--key-id"), parse.GetValue(size));
            GitignoreFile.Ensure(
                Path.Combine(keyring.Directory, ".gitignore"),
                "Written by 'secretstore keys init': the private key files of this keyring never go into source control.",
                PrivateKeyPattern);

            // stdout stays the key id alone (scripts capture it); what to do with the files goes to stderr.
            context.Console.WriteRow(keyring.DefaultKeyId);
            var error = context.Console.Error;
            error.WriteLine($"secretstore: keyring '{LogText.Escape(keyring.Directory)}' created; its fingerprint (the (anchor) row of 'keys list') is {keyring.TrustAnchor}.");
            error.WriteLine("  Commit: keyring.json, signing.public.pem, keys/*.public.pem and .gitignore (it keeps the private key files out of git).");
            error.WriteLine("  Never commit: signing.private.pem, keys/*.private.pem (owner-only files; keep them on this machine or in a vault).");
            error.WriteLine($"  CI: put the output of 'secretstore keys export-reader {LogText.Escape(folder)}' into a secret variable and name it with --private-key-env (docs/ci.md).");
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }

    private static Command Add(CliContext context)
    {
        var dir = DirectoryArgument();
        var keyId = new Option<string?>("--key-id") { Description = "The id to give the imported key (needed with --private-key or --public-key)." };
        var privateKey = new Option<FileInfo?>("--private-key") { Description = "A private key file: PEM (PKCS#8 or PKCS#1) or .NET <RSAKeyValue> XML." };
        var publicKey = new Option<FileInfo?>("--public-key") { Description = "A public key file (PEM SPKI or PKCS#1, or <RSAKeyValue> XML): a write-only entry." };
        var signingKey = new Option<FileInfo?>("--signing-key") { Description = "A signing key file (private, or public only for a read-only keyring) that replaces the keyring's signing key." };
        var makeDefault = new Option<bool>("--default") { Description = "Make the imported key the default for writes." };
        var allowSmall = new Option<bool>("--allow-small-key") { Description = "Accept a key under 2048 bits (only to read old reference records; new v2 records refuse it)." };
        var command = new Command("add", "Brings existing keys into a keyring (created if missing).")
        {
            dir, keyId, privateKey, publicKey, signingKey, makeDefault, allowSmall,
        };
        context.SetAction(command, async (parse, token) =>
        {
            var id = parse.GetValue(keyId);
            var privateFile = parse.GetValue(privateKey);
            var publicFile = parse.GetValue(publicKey);
            var signingFile = parse.GetValue(signingKey);
            if (privateFile is not null && publicFile is not null)
            {
                throw new UsageException("Give --private-key or --public-key, not both (the public half comes from the private key).");
            }

            var keyFile = privateFile ?? publicFile;
            if (keyFile is null && signingFile is null)
            {
                throw new UsageException("keys add needs --private-key, --public-key or --signing-key.");
            }

            if (keyFile is not null && string.IsNullOrEmpty(id))
            {
                throw new UsageException("--private-key and --public-key need --key-id.");
            }

            var folder = parse.GetRequiredValue(dir);
            var keyText = keyFile is null ? null : await ReadKeyFileAsync(keyFile, token).ConfigureAwait(false);
            var signingText = signingFile is null ? null : await ReadKeyFileAsync(signingFile, token).ConfigureAwait(false);
            using var keyring = File.Exists(Path.Combine(folder, RsaKeyring.IndexFileName)) ? RsaKeyring.Load(folder) : RsaKeyring.CreateEmpty(folder);
            if (signingText is not null)
            {
                keyring.ImportSigningKey(signingText);
                context.Console.WriteRow("signing key imported");
            }

            if (keyText is not null)
            {
                keyring.ImportKey(id!, keyText, parse.GetValue(makeDefault), parse.GetValue(allowSmall));
                if (privateFile is not null && !keyring.HasPrivateKey(id!))
                {
                    context.Console.Warn(DiagnosticCodes.KeyMaterialMissing, $"The file given with --private-key for '{id}' holds a public key only; it was added as a write-only entry.");
                }

                context.Console.WriteRow(id);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Remove(CliContext context)
    {
        var dir = DirectoryArgument();
        var keyId = new Option<string>("--key-id") { Description = "The key to remove.", Required = true };
        var command = new Command(
            "remove",
            "Removes a key (a recipient who leaves) from keyring.json and deletes its key files; prints its id. Run 'secretstore rewrap <app> --recipients ...' without it first, so that no record is left for that key alone; values it could read should be rotated.")
        {
            dir, keyId,
        };
        context.SetAction(command, (parse, _) =>
        {
            var id = parse.GetRequiredValue(keyId);
            using var keyring = RsaKeyring.Load(parse.GetRequiredValue(dir));
            keyring.RemoveKey(id);
            context.Console.WriteRow(id);
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }

    private static Command List(CliContext context)
    {
        var dir = DirectoryArgument();
        var command = new Command("list", "Lists the keys: id, size in bits, which halves are present, fingerprint, and which is the default; then the signing key and the trust anchor.") { dir };
        context.SetAction(command, (parse, _) =>
        {
            using var keyring = RsaKeyring.Load(parse.GetRequiredValue(dir));
            foreach (var id in keyring.KeyIds)
            {
                var halves = keyring.HasPrivateKey(id) ? "public+private" : "public";
                var size = keyring.GetKeySize(id).ToString(CultureInfo.InvariantCulture);
                if (string.Equals(id, keyring.DefaultKeyId, StringComparison.Ordinal))
                {
                    context.Console.WriteRow(id, size, halves, keyring.GetKeyFingerprint(id), "default");
                }
                else
                {
                    context.Console.WriteRow(id, size, halves, keyring.GetKeyFingerprint(id));
                }
            }

            context.Console.WriteRow("(signing)", keyring.SigningKeySize.ToString(CultureInfo.InvariantCulture), keyring.CanSign ? "public+private" : "public", keyring.SigningKeyFingerprint);
            context.Console.WriteRow("(anchor)", keyring.TrustAnchor ?? "none");
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }

    private static Command ExportReader(CliContext context)
    {
        var dir = DirectoryArgument();
        var keyId = new Option<string?>("--key-id") { Description = "Export this key only (default: every key whose private half the keyring holds)." };
        var command = new Command(
            "export-reader",
            "Prints the reader secret: the private encryption key(s) and the trust anchor (the signing key's fingerprint) in one text, "
            + "to store in a CI secret variable and name with --private-key-env. Run it on the keyring's trusted copy. Standard output carries only the secret.")
        {
            dir, keyId,
        };
        context.SetAction(command, (parse, _) =>
        {
            using var keyring = RsaKeyring.Load(parse.GetRequiredValue(dir));
            var secret = keyring.ExportReaderSecret(parse.GetValue(keyId) is { Length: > 0 } id ? id : null);
            context.Console.Out.Write(secret);
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }

    private static string RequireText(string? value, string option) =>
        string.IsNullOrWhiteSpace(value) ? throw new UsageException($"{option} must not be empty.") : value;

    private static async Task<string> ReadKeyFileAsync(FileInfo file, CancellationToken cancellationToken)
    {
        try
        {
            var text = await File.ReadAllTextAsync(file.FullName, cancellationToken).ConfigureAwait(false);
            return string.IsNullOrWhiteSpace(text)
                ? throw new SecretStoreException(DiagnosticCodes.InvalidKeyring, $"The key file '{file.FullName}' is empty.")
                : text;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SecretStoreException(DiagnosticCodes.InvalidKeyring, $"The key file '{file.FullName}' cannot be read ({ex.GetType().Name}).");
        }
    }
}
