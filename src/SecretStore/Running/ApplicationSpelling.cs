using SecretStore.Diagnostics;
using SecretStore.Resolution.Reporting;

namespace SecretStore.Running;

/// <summary>
/// Issue 14 item 4: a placeholder that names an application a letter or two from the run's default one
/// (<c>#{secret:WebAp/Api.Token}</c> in WebApp) is most likely a typo. It is a warning, not an error: the name may be
/// a real second application, and a typo that also misses the secret is already SSB2001.
/// </summary>
internal static class ApplicationSpelling
{
    /// <summary>One warning per placeholder whose application is a near miss of <paramref name="defaultApplication"/>.</summary>
    public static IReadOnlyList<Diagnostic> Check(ResolutionReport? report, string? defaultApplication)
    {
        if (report is null || string.IsNullOrEmpty(defaultApplication))
        {
            return [];
        }

        return [.. report.Files.SelectMany(file => file.Placeholders
            .Where(p => p.Source == PlaceholderSource.Placeholder && NearMiss.Suggest(p.Application, [defaultApplication]) is not null)
            .Select(p => new Diagnostic(
                DiagnosticCodes.ApplicationLooksMisspelt,
                DiagnosticSeverity.Warning,
                $"Placeholder {p.Placeholder} names application '{p.Application}', which is one or two letters from this run's application '{defaultApplication}'. If it is a typo, write '#{{secret:{p.Name}}}' (the default application) or correct the name; if '{p.Application}' is a second application, ignore this warning.",
                file.Path,
                p.Line,
                p.Column)))];
    }
}
