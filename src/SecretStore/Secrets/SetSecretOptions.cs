using SecretStore.Repositories;

namespace SecretStore.Secrets;

/// <summary>Options for <see cref="ISecretStore.SetAsync"/>.</summary>
public sealed class SetSecretOptions
{
    /// <summary>The master key to protect the data key with; null uses the store's default key.</summary>
    public string? KeyId { get; init; }

    /// <summary>
    /// Every master key that may open the record (docs/format.md, "Envelope version 3"), the first being its primary
    /// key (<see cref="SecretMetadata.MasterKeyId"/>); any one of them opens it. Null: <see cref="KeyId"/> alone when
    /// given, else the store's recipients, else the store's default key; never the recipients of the record replaced
    /// (the store writer could choose them), which <see cref="SecretMetadata.ReplacedRecipients"/> reports instead.
    /// </summary>
    public IReadOnlyList<string>? Recipients { get; init; }

    /// <summary>
    /// Optimistic concurrency: the revision the caller last read (0 = the secret must not exist yet).
    /// Null means "whatever is there now", which is still checked: a concurrent writer between our read and
    /// our write gives <see cref="Diagnostics.ConcurrencyConflictException"/>, never a lost update.
    /// </summary>
    public long? ExpectedRevision { get; init; }

    /// <summary>The format to write. <see cref="ProtectedSecretFormat.V2"/> unless v1 is explicitly asked for.</summary>
    public ProtectedSecretFormat Format { get; init; } = ProtectedSecretFormat.V2;

    /// <summary>
    /// Store an empty or whitespace-only value on purpose. Off by default: such a value is refused with
    /// <c>SSB2017</c>, since it is what an unset or misspelt CI variable gives, and it would replace a good secret.
    /// </summary>
    public bool AllowEmpty { get; init; }
}
