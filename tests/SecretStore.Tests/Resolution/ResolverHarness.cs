using SecretStore.Diagnostics;
using SecretStore.Resolution;

namespace SecretStore.Tests.Resolution;

/// <summary>Runs the real resolver over real files.</summary>
public static class ResolverHarness
{
    public const string App = "App";

    public static async Task<ResolveResult> RunAsync(InMemorySecretStore store, IReadOnlyList<string> files, ResolveMode mode = ResolveMode.Resolve, Func<ResolveRequest, ResolveRequest>? configure = null)
    {
        var request = new ResolveRequest { Files = files, DefaultApplication = App, Mode = mode };
        if (configure is not null)
        {
            request = configure(request);
        }

        return await new SecretResolver(store).ResolveAsync(request);
    }

    public static Diagnostic SingleError(ResolveResult result)
    {
        var errors = result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 1, "Expected one error, got: " + string.Join(" | ", errors));
        return errors[0];
    }

    public static void AssertSucceeded(ResolveResult result) =>
        Assert.True(result.Succeeded, "Diagnostics: " + string.Join(" | ", result.Diagnostics));
}
