namespace SecretStore.Stores;

/// <summary>Options of <see cref="EnvelopeSecretStore"/>.</summary>
public sealed record EnvelopeSecretStoreOptions
{
    /// <summary>The master key for writes when <see cref="Secrets.SetSecretOptions.KeyId"/> is null.</summary>
    public string? DefaultKeyId { get; init; }

    /// <summary>Refuse v1 records on read and write (<c>SSB2009</c>): downgrade protection once a store is rewrapped.</summary>
    public bool RequireV2 { get; init; }

    /// <summary>How many data keys get-many unwraps at once (default 8; at least 1).</summary>
    public int MaxDegreeOfParallelism { get; init; } = 8;

    /// <summary>The largest UTF-8 value accepted by writes, in bytes (<c>SSB2003</c> above it); null for no limit.</summary>
    public int? MaxValueSizeInBytes { get; init; }
}
