using SecretStore.Repositories.History;

namespace SecretStore.Repositories.File;

/// <summary>Options of <see cref="FileSecretRepository"/>.</summary>
public sealed record FileSecretRepositoryOptions
{
    /// <summary>How long a writer waits for another writer's lock before failing with <c>SSB2005</c> (default 30 s).</summary>
    public TimeSpan LockTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How earlier revisions are kept (default: all of them, in the store file's <c>"history"</c> array).</summary>
    public HistoryOptions History { get; init; } = new();

    /// <summary>The clock of the lock wait (its deadline and retry pauses): a fake one in tests, so they wait on none.</summary>
    internal TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
