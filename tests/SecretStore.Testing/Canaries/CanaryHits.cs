namespace SecretStore.Testing.Canaries;

/// <summary>Turns scan results into a test failure that lists where, never what.</summary>
public static class CanaryHits
{
    /// <summary>Throws <see cref="CanaryLeakException"/> when there is any hit.</summary>
    public static void ShouldBeEmpty(this IReadOnlyCollection<CanaryHit> hits)
    {
        ArgumentNullException.ThrowIfNull(hits);
        if (hits.Count > 0)
        {
            throw new CanaryLeakException(hits);
        }
    }
}

/// <summary>A canary was found where it must not be; the message lists sources and forms only.</summary>
public sealed class CanaryLeakException(IReadOnlyCollection<CanaryHit> hits)
    : Exception($"{hits.Count} canary hit(s):{Environment.NewLine}{string.Join(Environment.NewLine, hits)}")
{
    /// <summary>Every hit.</summary>
    public IReadOnlyCollection<CanaryHit> Hits { get; } = hits;
}
