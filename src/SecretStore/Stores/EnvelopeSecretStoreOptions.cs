namespace SecretStore.Stores;

/// <summary>Options of <see cref="EnvelopeSecretStore"/>.</summary>
public sealed record EnvelopeSecretStoreOptions
{
    /// <summary>The master key for writes when <see cref="Secrets.SetSecretOptions.KeyId"/> is null.</summary>
    public string? DefaultKeyId { get; init; }

    /// <summary>
    /// The recipients of new records when a write names neither key nor recipients (settings <c>recipients</c>):
    /// every master key that may open them, primary first. Null or empty: <see cref="DefaultKeyId"/> alone.
    /// </summary>
    public IReadOnlyList<string>? Recipients { get; init; }

    /// <summary>
    /// Read and write v1 records. Off by default: every v1 record is refused with <c>SSB2009</c> before any of
    /// it is decrypted, because v1 has no MAC and its decryption errors would be a padding oracle for whoever
    /// can write the store. Turn it on only to migrate (<c>rewrap</c> to v2).
    /// </summary>
    public bool AllowV1 { get; init; }

    /// <summary>How many data keys get-many unwraps at once (default 8; at least 1).</summary>
    public int MaxDegreeOfParallelism { get; init; } = 8;

    /// <summary>The largest UTF-8 value accepted by writes, in bytes (<c>SSB2003</c> above it); null for no limit.</summary>
    public int? MaxValueSizeInBytes { get; init; }
}
