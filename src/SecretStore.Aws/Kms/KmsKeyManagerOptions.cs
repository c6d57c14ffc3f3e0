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
}
