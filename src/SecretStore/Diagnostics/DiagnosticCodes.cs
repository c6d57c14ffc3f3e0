namespace SecretStore.Diagnostics;

/// <summary>
/// The one catalog of diagnostic codes. Ranges: 0xxx host and targets, 1xxx configuration and placeholder
/// syntax, 2xxx store and backend, 3xxx crypto and keys. Codes are never reused or renumbered;
/// <c>docs/diagnostics.md</c> gives cause and fix for each.
/// </summary>
public static class DiagnosticCodes
{
#pragma warning disable CS1591 // The titles document each code; docs/diagnostics.md holds cause and fix.
    // 0xxx: host, MSBuild targets, command line
    public static readonly DiagnosticCode InvalidArgument = new("SSB0001", "Invalid argument or option");
    public static readonly DiagnosticCode UnsupportedMSBuildRuntime = new("SSB0002", "MSBuild runtime cannot load the SecretStore tasks");
    public static readonly DiagnosticCode InvalidStoreConfiguration = new("SSB0003", "Invalid secret store configuration");
    public static readonly DiagnosticCode Summary = new("SSB0004", "Resolution summary");
    public static readonly DiagnosticCode CiMaskingSkipped = new("SSB0005", "Value too short to be masked by the CI system");
    public static readonly DiagnosticCode PublishDirInProject = new("SSB0006", "Publish folder inside the project folder");
    public static readonly DiagnosticCode UnexpectedError = new("SSB0099", "Unexpected internal error");

    // 1xxx: configuration files and placeholder syntax
    public static readonly DiagnosticCode UnterminatedPlaceholder = new("SSB1001", "Unterminated placeholder");
    public static readonly DiagnosticCode UnknownModifier = new("SSB1002", "Unknown placeholder modifier");
    public static readonly DiagnosticCode InvalidPlaceholderName = new("SSB1003", "Invalid placeholder name");
    public static readonly DiagnosticCode StrayPlaceholder = new("SSB1004", "Stray or malformed placeholder");
    public static readonly DiagnosticCode ValueNotAllowedInContext = new("SSB1005", "Secret value cannot be written safely in this context");
    public static readonly DiagnosticCode CDataTerminatorInValue = new("SSB1006", "Secret value contains ']]>' inside CDATA");
    public static readonly DiagnosticCode InvalidJsonValue = new("SSB1007", "Secret value is not valid JSON for the json modifier");
    public static readonly DiagnosticCode ShapeChanged = new("SSB1008", "Resolved file changed shape");
    public static readonly DiagnosticCode FileNotFound = new("SSB1009", "Listed file does not exist");
    public static readonly DiagnosticCode NoPlaceholders = new("SSB1010", "No placeholders found");
    public static readonly DiagnosticCode InvalidEncoding = new("SSB1011", "File is not valid text in its encoding");
    public static readonly DiagnosticCode InvalidDocument = new("SSB1012", "File is not a valid JSON or XML document");
    public static readonly DiagnosticCode OptionalSecretMissing = new("SSB1013", "Optional secret is missing; placeholder kept");
    public static readonly DiagnosticCode MappingPathNotFound = new("SSB1014", "Mapped configuration path not found");
    public static readonly DiagnosticCode FileWriteFailed = new("SSB1015", "Resolved file could not be written");
    public static readonly DiagnosticCode DtdProhibited = new("SSB1016", "XML with a DTD is not processed");
    public static readonly DiagnosticCode UnsupportedFile = new("SSB1017", "File cannot be rewritten (symbolic link or unsupported file)");
    public static readonly DiagnosticCode PathThroughLink = new("SSB1018", "File is reached through a symbolic link to a folder");
    public static readonly DiagnosticCode PlaceholderInValue = new("SSB1019", "Secret value would be read as a placeholder by a later resolve");
    public static readonly DiagnosticCode FileMetadataNotKept = new("SSB1020", "File's group or ACL cannot be kept when it is replaced");
    public static readonly DiagnosticCode InvalidSettingsFile = new("SSB1021", "Settings file (secretstore.json) is invalid");
    public static readonly DiagnosticCode UnknownEnvironment = new("SSB1022", "Environment is not defined in the settings file");
    public static readonly DiagnosticCode NoConfigFileMatched = new("SSB1023", "No config file matched; nothing was resolved");
    public static readonly DiagnosticCode ApplicationLooksMisspelt = new("SSB1024", "Placeholder names an application one or two letters from the default one");

    // 2xxx: secret store and backends
    public static readonly DiagnosticCode SecretNotFound = new("SSB2001", "Secret not found");
    public static readonly DiagnosticCode ConcurrencyConflict = new("SSB2002", "Concurrency conflict: the secret changed since it was read");
    public static readonly DiagnosticCode PayloadTooLarge = new("SSB2003", "Secret value too large");
    public static readonly DiagnosticCode StoreFileCorrupt = new("SSB2004", "Secret store file is corrupt");
    public static readonly DiagnosticCode BackendUnavailable = new("SSB2005", "Secret store backend unavailable");
    public static readonly DiagnosticCode TableSchemaMismatch = new("SSB2006", "DynamoDB table exists with a different schema");
    public static readonly DiagnosticCode AccessDenied = new("SSB2007", "Access denied by the backend");
    public static readonly DiagnosticCode TableNotFound = new("SSB2008", "DynamoDB table not found or not active");
    public static readonly DiagnosticCode FormatPolicyViolation = new("SSB2009", "Record format refused by the store policy");
    public static readonly DiagnosticCode InvalidSecret = new("SSB2010", "Invalid secret name or value");
    public static readonly DiagnosticCode StoreFileNotFound = new("SSB2011", "Secret store file does not exist");
    public static readonly DiagnosticCode SharedV1Material = new("SSB2012", "v1 rows share a wrapped document key or ciphertext");
    public static readonly DiagnosticCode DiffersFromTrustedCopy = new("SSB2013", "Record differs from the trusted copy of the store");
    public static readonly DiagnosticCode RevisionOutOfRange = new("SSB2014", "Record revision is out of range");
    public static readonly DiagnosticCode LockFileNotRegular = new("SSB2015", "Lock file is a symbolic link or not a regular file");
    public static readonly DiagnosticCode InsecureEndpoint = new("SSB2016", "Service endpoint without TLS for a host that is not loopback");
    public static readonly DiagnosticCode EmptyValue = new("SSB2017", "Empty or whitespace-only value refused");
    public static readonly DiagnosticCode TrailingLineBreak = new("SSB2018", "Value read from standard input ends with a line break");

    // 3xxx: crypto and keys
    public static readonly DiagnosticCode KeyNotFound = new("SSB3001", "Master key not found");
    public static readonly DiagnosticCode InvalidData = new("SSB3002", "Protected data is invalid or has been tampered with");
    public static readonly DiagnosticCode WrongContext = new("SSB3003", "Protected data belongs to another application or secret");
    public static readonly DiagnosticCode InvalidSignature = new("SSB3004", "Record signature is missing or invalid");
    public static readonly DiagnosticCode KeyTooSmall = new("SSB3005", "Key is smaller than the minimum size");
    public static readonly DiagnosticCode KeyDisabled = new("SSB3006", "Master key is disabled");
    public static readonly DiagnosticCode InvalidKeyring = new("SSB3007", "Keyring is invalid");
    public static readonly DiagnosticCode KeyMaterialMissing = new("SSB3008", "Key material needed for this operation is missing");
    public static readonly DiagnosticCode UntrustedSigner = new("SSB3009", "Signing key does not match the reader's trust anchor");
    public static readonly DiagnosticCode PrivateKeyWithoutAnchor = new("SSB3010", "Private key carries no trust anchor");
    public static readonly DiagnosticCode PrivateKeyFileExposed = new("SSB3011", "Private key file is readable by other users");
    public static readonly DiagnosticCode MasterKeyNotAllowed = new("SSB3012", "Record is protected by a master key outside the reader's allow-list");
    public static readonly DiagnosticCode NoAllowedMasterKeys = new("SSB3013", "No master keys are allowed for reading");
#pragma warning restore CS1591

    /// <summary>Every code in the catalog, in code order.</summary>
    public static IReadOnlyList<DiagnosticCode> All { get; } =
        typeof(DiagnosticCodes).GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
            .Where(f => f.FieldType == typeof(DiagnosticCode))
            .Select(f => (DiagnosticCode)f.GetValue(null)!)
            .OrderBy(c => c.Id, StringComparer.Ordinal)
            .ToArray();
}
