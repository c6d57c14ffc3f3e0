namespace SecretStore.Resolution;

/// <summary>
/// Test seam into the resolver's write phase: called synchronously at its steps so a test can make a step fail
/// (replace a target between analysis and commit) or pause a child process there to kill it at a known point,
/// instead of guessing with timers. Never set by a face.
/// </summary>
internal sealed class WritePhaseProbe
{
    /// <summary>After the temp file of the target (full path) has been written; the argument counts temps so far.</summary>
    public Action<string, int>? TempWritten { get; init; }

    /// <summary>Before the temp file is renamed over the target (full path); the argument counts targets already replaced.</summary>
    public Action<string, int>? Committing { get; init; }
}
