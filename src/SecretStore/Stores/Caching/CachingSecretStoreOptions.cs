namespace SecretStore.Stores.Caching;

/// <summary>How long and how much <see cref="CachingSecretStore"/> keeps.</summary>
public sealed class CachingSecretStoreOptions
{
    /// <summary>
    /// How long a value is served from memory before the store is asked again. Default 5 minutes.
    /// <see cref="Timeout.InfiniteTimeSpan"/> keeps it until <see cref="CachingSecretStore.Invalidate"/>, a write or
    /// eviction (the runtime loader does that, and checks revisions itself).
    /// </summary>
    public TimeSpan TimeToLive { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long "not found" is remembered, so a missing secret asked for in a loop does not reach the backend each
    /// time. Short by default (30 seconds): a secret added with <c>secretstore set</c> shows up soon. Zero turns it off.
    /// </summary>
    public TimeSpan NotFoundTimeToLive { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The most entries (values and "not found") kept; the least recently used goes first. Default 1000.</summary>
    public int MaxEntries { get; init; } = 1000;

    /// <summary>The clock (tests pass their own). Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
