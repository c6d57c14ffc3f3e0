namespace SecretStore.Resolution.Reporting;

/// <summary>What happened to one placeholder or mapping.</summary>
public enum PlaceholderOutcome
{
    /// <summary>The value was resolved (and, in resolve mode, written).</summary>
    Resolved,

    /// <summary>List mode: found, not fetched.</summary>
    Listed,

    /// <summary>An optional secret was missing; the placeholder was kept.</summary>
    OptionalMissing,

    /// <summary>An error is reported for it.</summary>
    Failed,
}
