namespace SecretStore.Benchmarks.Support;

/// <summary>
/// CI runs the suite once as a smoke test (build/test.sh, <c>--job dry</c>): with SECRETSTORE_BENCH_SMOKE=1 the
/// store benchmarks use small sizes only, so the run stays short and seeds no 1000-secret stores. The
/// numbers of a smoke run mean nothing; it proves that every benchmark runs and its assertions hold.
/// </summary>
public static class SmokeMode
{
    /// <summary>True when SECRETSTORE_BENCH_SMOKE is set to anything but 0.</summary>
    public static bool IsOn { get; } = Environment.GetEnvironmentVariable("SECRETSTORE_BENCH_SMOKE") is { Length: > 0 } value && value != "0";

    /// <summary>Store sizes: 10, 100, 1000 (smoke: 10, 100).</summary>
    public static IEnumerable<int> StoreSizes => IsOn ? [10, 100] : [10, 100, 1000];
}
