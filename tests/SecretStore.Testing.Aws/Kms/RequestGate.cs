namespace SecretStore.Testing.Aws.Kms;

/// <summary>
/// Holds the requests of one operation at the fixture until the test lets them go, one at a time, so a test can see
/// how many calls a client has in flight at once by events instead of a latency and luck: a held request is counted
/// from its arrival until its release, before its answer is written (so the next request a freed slot lets in can
/// never overlap the one it replaces in the count).
/// </summary>
public sealed class RequestGate
{
    private readonly Lock _lock = new();
    private readonly Queue<TaskCompletionSource> _held = new();
    private readonly List<(int Count, TaskCompletionSource Signal)> _waiters = [];
    private int _maxHeld;

    /// <summary>The most requests that were held at once.</summary>
    public int MaxHeld
    {
        get
        {
            lock (_lock)
            {
                return _maxHeld;
            }
        }
    }

    /// <summary>How many requests are held now.</summary>
    public int Held
    {
        get
        {
            lock (_lock)
            {
                return _held.Count;
            }
        }
    }

    /// <summary>Completes when at least <paramref name="count"/> requests are held.</summary>
    public Task WaitForHeldAsync(int count)
    {
        lock (_lock)
        {
            if (_held.Count >= count)
            {
                return Task.CompletedTask;
            }

            var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, signal));
            return signal.Task;
        }
    }

    /// <summary>Lets the request that arrived first go on.</summary>
    public void ReleaseOne()
    {
        TaskCompletionSource next;
        lock (_lock)
        {
            next = _held.Dequeue();
        }

        next.TrySetResult();
    }

    /// <summary>Lets every held request go on (the fixture's cleanup).</summary>
    public void ReleaseAll()
    {
        lock (_lock)
        {
            while (_held.TryDequeue(out var next))
            {
                next.TrySetResult();
            }
        }
    }

    /// <summary>Called by the fixture for each request of the gated operation: waits until the test releases it.</summary>
    internal Task EnterAsync(CancellationToken cancellationToken)
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            _held.Enqueue(release);
            _maxHeld = Math.Max(_maxHeld, _held.Count);
            foreach (var waiter in _waiters.Where(w => _held.Count >= w.Count).ToList())
            {
                _waiters.Remove(waiter);
                waiter.Signal.TrySetResult();
            }
        }

        return release.Task.WaitAsync(cancellationToken);
    }
}
