namespace SecretStore.Repositories.History;

/// <summary>How a repository keeps the earlier revisions of its records (docs/format.md, "History").</summary>
public sealed record HistoryOptions
{
    /// <summary>
    /// The most revisions kept per secret, the newest ones (the current revision and deletions count), or null to keep
    /// all (the default). Older ones are removed by the next write of that secret; a pinned placeholder or a lock naming
    /// a removed revision then fails with <c>SSB2019</c>.
    /// </summary>
    public int? KeepRevisions { get; init; }

    /// <summary>The writer recorded with each revision; null uses the user name of the process. Not authenticated.</summary>
    public string? Writer { get; init; }

    /// <summary>The clock that stamps each revision.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>The writer this process records (for repositories: what a new revision keeps).</summary>
    public string EffectiveWriter => Writer ?? Environment.UserName;

    /// <summary>Now, UTC, in whole seconds (the stamp a new revision keeps).</summary>
    public DateTimeOffset Now()
    {
        var now = TimeProvider.GetUtcNow().ToUniversalTime();
        return new DateTimeOffset(now.Ticks - (now.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
    }

    /// <summary>Throws <c>SSB0003</c> when <see cref="KeepRevisions"/> is below 1 (repositories call it when they open).</summary>
    public void Validate()
    {
        if (KeepRevisions is < 1)
        {
            throw new Diagnostics.SecretStoreException(Diagnostics.DiagnosticCodes.InvalidStoreConfiguration, "The history retention must keep at least 1 revision per secret (leave it unset to keep all).");
        }
    }
}
