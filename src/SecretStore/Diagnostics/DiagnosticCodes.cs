namespace SecretStore.Diagnostics;

/// <summary>
/// The one catalog of diagnostic codes. Ranges: 0xxx host and targets, 1xxx configuration and placeholder
/// syntax, 2xxx store and backend, 3xxx crypto and keys, 4xxx environment variables and child processes (run, export). Codes are never reused or renumbered;
/// <c>docs/diagnostics.md</c> gives cause and fix for each.
/// </summary>
public static class DiagnosticCodes
{
#pragma warning disable CS1591 // The titles document each code; docs/diagnostics.md holds cause and fix.
    // 0xxx: host, MSBuild targets, command line
    public static readonly DiagnosticCode InvalidArgument = new("SSB0001", "Invalid argument or option", "correct the option or argument the message names; 'secretstore <command> --help' lists them.");
    public static readonly DiagnosticCode UnsupportedMSBuildRuntime = new("SSB0002", "MSBuild runtime cannot load the SecretStore tasks", "build with the .NET SDK's MSBuild (dotnet build, dotnet publish) or with Visual Studio 2026 (MSBuild 18.0) and the .NET 10 SDK.");
    public static readonly DiagnosticCode InvalidStoreConfiguration = new("SSB0003", "Invalid secret store configuration", "run 'secretstore init' to write a secretstore.json, or give the storage and protection (CLI --store/--protection, MSBuild SecretStoreStorage/SecretStoreProtection, Cake Storage/Protection).");
    public static readonly DiagnosticCode Summary = new("SSB0004", "Resolution summary");
    public static readonly DiagnosticCode CiMaskingSkipped = new("SSB0005", "Value too short to be masked by the CI system", "nothing, for a test value; a real secret needs 4 characters or more, since the CI system cannot mask shorter ones.");
    public static readonly DiagnosticCode PublishDirInProject = new("SSB0006", "Publish folder inside the project folder", "publish to a folder outside the project folder (dotnet publish -o ../publish).");
    public static readonly DiagnosticCode AmbiguousCiSystem = new("SSB0007", "Variables of two CI systems are set; values cannot be masked", "unset the variable of the system this step does not run on (GITHUB_ACTIONS or TF_BUILD); an earlier step may have set it.");
    public static readonly DiagnosticCode RuntimeLoadFailed = new("SSB0008", "Loading secrets into a running app's configuration failed; the last good values are kept", "correct the cause the message gives; the app keeps its last good values, and the next reload tries again.");
    public static readonly DiagnosticCode UnexpectedError = new("SSB0099", "Unexpected internal error", "report it with the command and the diagnostic output, which hold no secret values.");

    // 1xxx: configuration files and placeholder syntax
    public static readonly DiagnosticCode UnterminatedPlaceholder = new("SSB1001", "Unterminated placeholder", "close the placeholder with '}' on the same line, or write '##{' for a literal '#{'.");
    public static readonly DiagnosticCode UnknownModifier = new("SSB1002", "Unknown placeholder modifier", "use one of the modifiers json, base64, raw, optional and literal.");
    public static readonly DiagnosticCode InvalidPlaceholderName = new("SSB1003", "Invalid placeholder name", "write #{secret:Name} or #{secret:App/Name}, with no whitespace at either end of a name.");
    public static readonly DiagnosticCode StrayPlaceholder = new("SSB1004", "Stray or malformed placeholder", "complete the placeholder (#{secret:Name}), or write '##{' for a literal '#{'.");
    public static readonly DiagnosticCode ValueNotAllowedInContext = new("SSB1005", "Secret value cannot be written safely in this context", "add the base64 modifier (or raw for a multi-line value in a plain-text file), or move the placeholder to a whole JSON string or XML attribute.");
    public static readonly DiagnosticCode CDataTerminatorInValue = new("SSB1006", "Secret value contains ']]>' inside CDATA", "move the placeholder out of the CDATA section, or add the base64 modifier.");
    public static readonly DiagnosticCode InvalidJsonValue = new("SSB1007", "Secret value is not valid JSON for the json modifier", "store valid JSON for a json placeholder, and use it only where a whole JSON value goes.");
    public static readonly DiagnosticCode ShapeChanged = new("SSB1008", "Resolved file changed shape", "check the escaping context of the placeholder (a value that must add structure needs the json modifier in a JSON file).");
    public static readonly DiagnosticCode FileNotFound = new("SSB1009", "Listed file does not exist, or a glob matches no file", "correct the path or glob, or mark it optional (MSBuild Optional=\"true\", Cake OptionalFiles, CLI --optional-file, action optional-files).");
    public static readonly DiagnosticCode NoPlaceholders = new("SSB1010", "No placeholders found", "add a placeholder or a mapping to the files, or turn the placeholder requirement off.");
    public static readonly DiagnosticCode InvalidEncoding = new("SSB1011", "File is not valid text in its encoding", "save the file as UTF-8 (or UTF-16 with a byte order mark).");
    public static readonly DiagnosticCode InvalidDocument = new("SSB1012", "File is not a valid document of its format (JSON, XML, INI, .properties, .env, YAML)", "correct the document at the position the message gives; a file must parse before its placeholders are resolved.");
    public static readonly DiagnosticCode OptionalSecretMissing = new("SSB1013", "Optional secret is missing; placeholder kept", "'secretstore set App/Name' adds the secret; ignore this warning when the placeholder is meant to stay.");
    public static readonly DiagnosticCode MappingPathNotFound = new("SSB1014", "Mapped configuration path not found", "correct the mapping's configuration path (such as ConnectionStrings:Default), or add that key to the file.");
    public static readonly DiagnosticCode FileWriteFailed = new("SSB1015", "Resolved file could not be written", "check the folder's free space and permissions, then run again; no file was changed.");
    public static readonly DiagnosticCode DtdProhibited = new("SSB1016", "XML with a DTD is not processed", "remove the DTD (<!DOCTYPE ...>) and any entity declaration from the file.");
    public static readonly DiagnosticCode UnsupportedFile = new("SSB1017", "File cannot be rewritten (symbolic link or unsupported file)", "list the file itself, not a symbolic link or a folder.");
    public static readonly DiagnosticCode PathThroughLink = new("SSB1018", "File is reached through a symbolic link to a folder", "list the file by its real path, not through the linked folder.");
    public static readonly DiagnosticCode PlaceholderInValue = new("SSB1019", "Secret value would be read as a placeholder by a later resolve", "change the value, or add the literal modifier (#{secret:Name|literal}) when it really must hold placeholder text.");
    public static readonly DiagnosticCode FileMetadataNotKept = new("SSB1020", "File's group or ACL cannot be kept when it is replaced", "give the folder the group and default ACL the file needs (a new file inherits them), or remove them from the file.");
    public static readonly DiagnosticCode InvalidSettingsFile = new("SSB1021", "Settings file (secretstore.json) is invalid", "correct secretstore.json where the message points (docs/settings.md lists its members).");
    public static readonly DiagnosticCode UnknownEnvironment = new("SSB1022", "Environment is not defined in the settings file", "add the environment under 'environments' in secretstore.json, or choose one of those the message lists.");
    public static readonly DiagnosticCode NoConfigFileMatched = new("SSB1023", "No config file matched; nothing was resolved", "add <None Update=\"appsettings*.json\" CopyToPublishDirectory=\"PreserveNewest\" /> to the project, list the files as SecretStoreConfigFile items, or set SecretStoreEnabled=false.");
    public static readonly DiagnosticCode ApplicationLooksMisspelt = new("SSB1024", "Placeholder names an application one or two letters from the default one", "correct the application name, or ignore this warning when it is a second application.");

    // 2xxx: secret store and backends
    public static readonly DiagnosticCode SecretNotFound = new("SSB2001", "Secret not found", "'secretstore set App/Name' adds the secret; 'secretstore list App' shows the names the store has.");
    public static readonly DiagnosticCode ConcurrencyConflict = new("SSB2002", "Concurrency conflict: the secret changed since it was read", "read the secret again and retry against the revision the store holds now.");
    public static readonly DiagnosticCode PayloadTooLarge = new("SSB2003", "Secret value too large", "store a smaller value, or a reference to where the large one lives.");
    public static readonly DiagnosticCode StoreFileCorrupt = new("SSB2004", "Secret store file is corrupt", "restore the store file from version control, or repair it where the message points.");
    public static readonly DiagnosticCode BackendUnavailable = new("SSB2005", "Secret store backend unavailable", "run again later, and check the service URL, the network and the service's health.");
    public static readonly DiagnosticCode TableSchemaMismatch = new("SSB2006", "DynamoDB table exists with a different schema", "use a table keyed by ApplicationName (HASH, S) and SecretName (RANGE, S), or create a new one ('secretstore table create').");
    public static readonly DiagnosticCode AccessDenied = new("SSB2007", "Access denied by the backend", "grant the identity that runs the build the IAM permissions listed in docs/aws.md (DynamoDB, KMS) or the role grants of docs/postgres.md (PostgreSQL).");
    public static readonly DiagnosticCode TableNotFound = new("SSB2008", "DynamoDB table not found or not active", "create the table ('secretstore table create'), or correct the table name and region.");
    public static readonly DiagnosticCode FormatPolicyViolation = new("SSB2009", "Record format refused by the store policy", "rewrap the application to v2 ('secretstore rewrap App --allow-v1 --compare-with <trusted copy>'); allow v1 only for that migration.");
    public static readonly DiagnosticCode InvalidSecret = new("SSB2010", "Invalid secret name or value", "give a name or value that is valid Unicode text (no lone surrogate, no control character in a name).");
    public static readonly DiagnosticCode StoreFileNotFound = new("SSB2011", "Secret store file does not exist", "run 'secretstore init', or correct the store path (file:<path>).");
    public static readonly DiagnosticCode SharedV1Material = new("SSB2012", "v1 rows share a wrapped document key or ciphertext", "restore the flagged rows from a trusted copy, and rewrap with --compare-with that copy.");
    public static readonly DiagnosticCode DiffersFromTrustedCopy = new("SSB2013", "Record differs from the trusted copy of the store", "restore the record from the trusted copy, or compare with a copy you trust that holds it.");
    public static readonly DiagnosticCode RevisionOutOfRange = new("SSB2014", "Record revision is out of range", "restore the record from version control; a revision is a whole number from 1.");
    public static readonly DiagnosticCode LockFileNotRegular = new("SSB2015", "Lock file is a symbolic link or not a regular file", "remove the link or file at '<store>.lock'; writers create the lock themselves.");
    public static readonly DiagnosticCode InsecureEndpoint = new("SSB2016", "Service endpoint without TLS for a host that is not loopback", "use https://, or allow it on a trusted network only (CLI --allow-insecure-endpoint, MSBuild SecretStoreAllowInsecureEndpoint, Cake AllowInsecureEndpoint).");
    public static readonly DiagnosticCode EmptyValue = new("SSB2017", "Empty or whitespace-only value refused", "check that the variable feeding the value is set; pass --allow-empty (Cake AllowEmpty) to store an empty value on purpose.");
    public static readonly DiagnosticCode TrailingLineBreak = new("SSB2018", "Value read from standard input ends with a line break", "pipe the value with printf '%s' \"$VALUE\", or pass --trim-newline; ignore this warning when the value needs the line break.");
    public static readonly DiagnosticCode RevisionNotFound = new("SSB2019", "Secret revision not found, or it is a deletion", "'secretstore history App/Name' lists the revisions the store keeps; pin one of those, or remove the pin.");
    public static readonly DiagnosticCode LockedRevisionRolledBack = new("SSB2020", "Secret is below the revision the lock file names", "find out who put the older record back ('secretstore history App/Name'), and restore the locked revision ('secretstore rollback App/Name --to N' writes it anew); move the lock back only on purpose ('secretstore lock').");
    public static readonly DiagnosticCode LockedRecordChanged = new("SSB2021", "Secret record differs from the one the lock file names at that revision", "the record was replaced in the store: restore it from version control or a trusted copy; move the lock only on purpose ('secretstore lock').");
    public static readonly DiagnosticCode LockFileInvalid = new("SSB2022", "Lock file does not parse or breaks its schema", "restore secretstore.lock.json from version control, or write it again with 'secretstore lock'.");
    public static readonly DiagnosticCode LockDrift = new("SSB2023", "Secret is newer in the store than in the lock file", "review the change ('secretstore history App/Name'), then move the lock forward with 'secretstore lock' (or --update-lock).");
    public static readonly DiagnosticCode NotInLock = new("SSB2024", "Secret is not in the lock file", "add it with 'secretstore lock' (or --update-lock), and commit the lock file.");
    public static readonly DiagnosticCode PostgreSqlSchemaMissing = new("SSB2025", "PostgreSQL store schema is missing or not the expected one", "create it once with 'secretstore table create' as the schema's owner (docs/postgres.md), or correct the database in the connection string.");

    // 3xxx: crypto and keys
    public static readonly DiagnosticCode KeyNotFound = new("SSB3001", "Master key not found", "correct the key id ('secretstore keys list' for a keyring; the key ARN or alias for KMS), or create the key.");
    public static readonly DiagnosticCode InvalidData = new("SSB3002", "Protected data is invalid or has been tampered with", "restore the record from version control or a backup; if it stays invalid, set the secret again.");
    public static readonly DiagnosticCode WrongContext = new("SSB3003", "Protected data belongs to another application or secret", "restore the record under its own application and name; a protected record cannot be copied or moved.");
    public static readonly DiagnosticCode InvalidSignature = new("SSB3004", "Record signature is missing or invalid", "restore the record from version control, or set the secret again with this keyring.");
    public static readonly DiagnosticCode KeyTooSmall = new("SSB3005", "Key is smaller than the minimum size", "create a key of 2048 bits or more ('secretstore keys init') and rewrap the store onto it.");
    public static readonly DiagnosticCode KeyDisabled = new("SSB3006", "Master key is disabled", "enable the KMS key, or use another key id.");
    public static readonly DiagnosticCode InvalidKeyring = new("SSB3007", "Keyring is invalid", "restore the keyring folder from version control, or create a new keyring with 'secretstore keys init'.");
    public static readonly DiagnosticCode KeyMaterialMissing = new("SSB3008", "Key material needed for this operation is missing", "give the private key: the reader secret variable (--private-key-env, SecretStorePrivateKeyVariable, PrivateKeyEnvironmentVariable) or the keyring's private key file.");
    public static readonly DiagnosticCode UntrustedSigner = new("SSB3009", "Signing key does not match the reader's trust anchor", "read with the keyring that wrote the record, or export its reader secret again ('secretstore keys export-reader').");
    public static readonly DiagnosticCode PrivateKeyWithoutAnchor = new("SSB3010", "Private key carries no trust anchor", "export the reader secret with 'secretstore keys export-reader', which carries the trust anchor.");
    public static readonly DiagnosticCode PrivateKeyFileExposed = new("SSB3011", "Private key file is readable by other users", "make the private key file owner-only (chmod 600).");
    public static readonly DiagnosticCode MasterKeyNotAllowed = new("SSB3012", "Record is protected by a master key outside the reader's allow-list", "add the key to the allow-list (--allowed-key-id, SecretStoreAllowedKeyIds, AllowedKeyIds) if it is yours; otherwise restore the record.");
    public static readonly DiagnosticCode NoAllowedMasterKeys = new("SSB3013", "No master keys are allowed for reading", "give the key id or the allowed key ids (--key-id/--allowed-key-id, SecretStoreKeyId/SecretStoreAllowedKeyIds, KeyId/AllowedKeyIds).");
    public static readonly DiagnosticCode RecordFromAnotherStore = new("SSB3014", "Record is bound to another store", "restore the record from this store's history or version control, or write it again here; a record cannot be copied between stores.");
    public static readonly DiagnosticCode RecipientsChanged = new("SSB3015", "A write changed who can read the secret", "nothing, when the new recipients are the ones you meant; otherwise set the settings file's recipients (or --recipients) and write again. A write takes its recipients from the settings or the command, never from the record it replaces.");

    // 4xxx: environment variables and child processes (run, export)
    public static readonly DiagnosticCode InvalidVariableName = new("SSB4001", "Invalid environment variable name", "give a name of ASCII letters, digits and '_' (not starting with a digit) with --map NAME=App/Secret, or rename the secret.");
    public static readonly DiagnosticCode DuplicateVariable = new("SSB4002", "Two secrets are mapped to one variable", "map one of them to another name (--map NAME=App/Secret), or drop one of the mappings.");
    public static readonly DiagnosticCode ValueNotExportable = new("SSB4003", "Secret value cannot be carried by an environment variable or the export format", "change the value, or choose a format that can carry it (json carries any text but NUL).");
    public static readonly DiagnosticCode CommandNotFound = new("SSB4004", "Command not found or not executable", "correct the command, give its path, or add its folder to PATH; 'run' exits 127 (not found) or 126 (not executable).");
    public static readonly DiagnosticCode VariableReplaced = new("SSB4005", "A secret and a variable that is already set share a name", "nothing, when the secret should win (the default) or the set variable should (--no-clobber, Cake NoClobber); otherwise map the secret to another name.");
    public static readonly DiagnosticCode ValuesToTerminal = new("SSB4006", "Export to a terminal refused: values would be shown on screen", "write to a file (--output FILE) or a pipe, or pass --force to show the values.");
    public static readonly DiagnosticCode MappedSecretMissing = new("SSB4007", "A mapped secret is missing; its variable is not set", "add the secret ('secretstore set App/Name'), or correct the mapping; with --strict (the default) this is an error.");
#pragma warning restore CS1591

    /// <summary>Every code in the catalog, in code order.</summary>
    public static IReadOnlyList<DiagnosticCode> All { get; } =
        typeof(DiagnosticCodes).GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
            .Where(f => f.FieldType == typeof(DiagnosticCode))
            .Select(f => (DiagnosticCode)f.GetValue(null)!)
            .OrderBy(c => c.Id, StringComparer.Ordinal)
            .ToArray();
}
