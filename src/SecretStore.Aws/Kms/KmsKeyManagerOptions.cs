namespace SecretStore.Aws.Kms;

/// <summary>Options for <see cref="KmsKeyManager"/>.</summary>
public sealed class KmsKeyManagerOptions
{
    /// <summary>At most this many KMS Decrypt calls in flight at once (default 8).</summary>
    public int MaxDegreeOfParallelism { get; init; } = 8;

    /// <summary>
    /// Keep unwrapped data keys for the life of the manager so the same wrapped key is never sent to KMS twice
    /// in one run (default true). The copies are zeroed by <see cref="KmsKeyManager.ClearCache"/> and on
    /// dispose. Turn it off for long-lived processes: concurrent requests for one wrapped key are still
    /// shared, but nothing is kept once they complete.
    /// </summary>
    public bool CacheDataKeys { get; init; } = true;

    /// <summary>
    /// The master keys whose wrapped data keys this manager unwraps (key ARNs, key ids, alias names or alias ARNs);
    /// any other key id is refused with <c>SSB3012</c> before KMS is called, and an empty list refuses every
    /// unwrap with <c>SSB3013</c>. A record's key id matches an entry when it is the entry's text or the key ARN
    /// the entry resolves to (one DescribeKey per entry that is not a key ARN). The record's own id is never
    /// resolved: that would let the record choose what it is compared with.
    /// </summary>
    public IReadOnlyList<string> AllowedKeyIds { get; init; } = [];
}
