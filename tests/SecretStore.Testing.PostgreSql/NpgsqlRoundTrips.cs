using System.Diagnostics;

namespace SecretStore.Testing.PostgreSql;

/// <summary>
/// Counts the statements (commands and batches: each is one round trip to the server) that Npgsql runs inside one
/// measured scope, from Npgsql's own tracing (its <c>Npgsql</c> ActivitySource), so a test or a benchmark can assert
/// "one round trip per get-many" without touching the repository. Only the calls made under the scope's activity are
/// counted: other tests running at the same time in the same process are not.
/// </summary>
public sealed class NpgsqlRoundTrips : IDisposable
{
    private const string ScopeSourceName = "SecretStore.Testing.RoundTrips";
    private static readonly ActivitySource Scopes = new(ScopeSourceName);
    private readonly ActivityListener _listener;
    private readonly Activity? _scope;
    private int _count;

    private NpgsqlRoundTrips()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is "Npgsql" or ScopeSourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStarted = OnStarted,
        };
        ActivitySource.AddActivityListener(_listener);
        _scope = Scopes.StartActivity("measured") ?? throw new InvalidOperationException("The scope's activity did not start.");
    }

    /// <summary>The statements run so far under this scope.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Starts counting the statements run by this async flow from here on.</summary>
    public static NpgsqlRoundTrips Start() => new();

    /// <summary>Stops counting.</summary>
    public void Dispose()
    {
        _scope?.Dispose();
        _listener.Dispose();
    }

    private void OnStarted(Activity activity)
    {
        // _scope is null while the scope's own activity starts.
        if (_scope is null || activity.Source.Name != "Npgsql" || activity.TraceId != _scope.TraceId)
        {
            return;
        }

        // One activity per command or batch (a COMMIT is not traced; opening a pooled connection is no statement).
        if (activity.Kind == ActivityKind.Client)
        {
            Interlocked.Increment(ref _count);
        }
    }
}
