using SecretStore.Diagnostics;

namespace SecretStore.Runtime;

/// <summary>What one runtime load produced: configuration keys and values, and the warnings (never a value).</summary>
public sealed record RuntimeLoadResult
{
    /// <summary>
    /// Configuration keys (case-insensitive) and their values. A null value unsets the key: a <c>|json</c> object's own
    /// key, or a key whose secret was skipped.
    /// </summary>
    public required IReadOnlyDictionary<string, string?> Values { get; init; }

    /// <summary>Coded warnings: skipped optional or failed secrets.</summary>
    public IReadOnlyList<Diagnostic> Warnings { get; init; } = [];

    /// <summary>The distinct secrets the load needed.</summary>
    public int SecretCount { get; init; }

    /// <summary>How many of them were read from the backend (the rest were unchanged since the last load and served from memory).</summary>
    public int FetchedCount { get; init; }
}
