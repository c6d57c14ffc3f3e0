using SecretStore.Secrets;

namespace SecretStore.Diagnostics;

/// <summary>The secret does not exist in the store (<c>SSB2001</c>).</summary>
public sealed class SecretNotFoundException(SecretId id)
    : SecretStoreException(DiagnosticCodes.SecretNotFound, $"Secret '{id}' was not found. Fix: 'secretstore list {id.ApplicationName}' shows the names it has; 'secretstore set {id}' adds it.")
{
    /// <summary>The secret that was asked for.</summary>
    public SecretId SecretId { get; } = id;
}

/// <summary>
/// The secret changed since it was read, or already exists when creating (<c>SSB2002</c>). The message says the
/// revision the store holds now when the repository knows it, so the writer can check that change and retry against it.
/// </summary>
public sealed class ConcurrencyConflictException(SecretId id, long expectedRevision, long? currentRevision = null)
    : SecretStoreException(DiagnosticCodes.ConcurrencyConflict, Describe(id, expectedRevision, currentRevision))
{
    /// <summary>The secret concerned.</summary>
    public SecretId SecretId { get; } = id;

    /// <summary>The revision the writer expected (0 = expected the secret not to exist).</summary>
    public long ExpectedRevision { get; } = expectedRevision;

    /// <summary>The revision the store holds now (0 = the secret does not exist); null when the store did not say.</summary>
    public long? CurrentRevision { get; } = currentRevision;

    private static string Describe(SecretId id, long expected, long? current) => (expected, current) switch
    {
        (0, { } now) => $"Secret '{id}' already exists (revision {now}); it was expected not to. Fix: retry against revision {now} (CLI: --if-revision {now}) once its value is checked, or use another name.",
        (0, null) => $"Secret '{id}' already exists; it was expected not to.",
        (_, 0) => $"Secret '{id}' no longer exists; revision {expected} was expected: another writer deleted it. Fix: check why, then write it anew (CLI: --if-revision 0).",
        (_, { } now) => $"Secret '{id}' is at revision {now}, not the expected {expected}: another writer changed it. Fix: check that change ('secretstore list {id.ApplicationName}' shows revisions), then retry against revision {now} (CLI: --if-revision {now}).",
        _ => $"Secret '{id}' is no longer at revision {expected}; another writer changed it.",
    };
}

/// <summary>The master key does not exist or is not in the keyring (<c>SSB3001</c>).</summary>
public sealed class MasterKeyNotFoundException(string keyId, Exception? inner = null)
    : SecretStoreException(DiagnosticCodes.KeyNotFound, $"Master key '{keyId}' was not found.", inner)
{
    /// <summary>The key id that was asked for.</summary>
    public string KeyId { get; } = keyId;
}

/// <summary>Protected data is malformed or was tampered with (<c>SSB3002</c>), or its signature fails (<c>SSB3004</c>).</summary>
public sealed class InvalidProtectedDataException : SecretStoreException
{
    /// <summary>Creates the exception; the message must not contain data bytes.</summary>
    public InvalidProtectedDataException(string message, Exception? inner = null)
        : base(DiagnosticCodes.InvalidData, message, inner)
    {
    }

    /// <summary>Creates the exception with a more specific code from the crypto range.</summary>
    public InvalidProtectedDataException(DiagnosticCode code, string message, Exception? inner = null)
        : base(code, message, inner)
    {
    }
}

/// <summary>The record is bound to another application, secret or key (<c>SSB3003</c>).</summary>
public sealed class WrongContextException(SecretId requested, string detail)
    : SecretStoreException(DiagnosticCodes.WrongContext, $"The protected record read for '{requested}' is bound to a different context ({detail}).")
{
    /// <summary>The secret that was asked for.</summary>
    public SecretId SecretId { get; } = requested;
}

/// <summary>The value is larger than the store accepts (<c>SSB2003</c>).</summary>
public sealed class PayloadTooLargeException(SecretId id, long size, long limit)
    : SecretStoreException(DiagnosticCodes.PayloadTooLarge, $"Secret '{id}' is {size} bytes; the limit is {limit} bytes.")
{
    /// <summary>The secret concerned.</summary>
    public SecretId SecretId { get; } = id;
}

/// <summary>
/// A store file that is read does not exist (<c>SSB2011</c>): a misspelt path must not read as an empty store.
/// Writes create the file instead (see <see cref="Repositories.File.FileSecretRepository"/>).
/// </summary>
public sealed class StoreFileNotFoundException(string filePath)
    : SecretStoreException(
        DiagnosticCodes.StoreFileNotFound,
        $"The secret store file '{filePath}' does not exist. Fix: check the store path (--store file:<path>, SECRETSTORE_STORE, MSBuild SecretStoreFile, Cake StoreFile); 'set' and 'import' create a new store file.")
{
    /// <summary>The full path that was looked for.</summary>
    public string FilePath { get; } = filePath;
}
