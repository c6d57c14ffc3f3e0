using System.Text;
using SecretStore.Cli.Hosting;
using SecretStore.Diagnostics;
using SecretStore.Resolution;

namespace SecretStore.Cli.Ci;

/// <summary>
/// Registers every form of every resolved value with the CI system's log masker, on stdout, before any file
/// is written (<see cref="ResolveRequest.BeforeWrite"/>), so no later log line can show one. Forms shorter
/// than <see cref="MinimumLength"/> are not registered (masking them would blank out ordinary log text) and
/// the secret is named in warning <c>SSB0005</c>, never its value.
/// </summary>
internal sealed class CiMasker(CiSystem system, CliConsole console)
{
    /// <summary>Shorter forms are not registered.</summary>
    public const int MinimumLength = 4;

    public CiSystem System => system;

    public static CiSystem Detect(Func<string, string?> environment)
    {
        if (string.Equals(environment("GITHUB_ACTIONS"), "true", StringComparison.OrdinalIgnoreCase))
        {
            return CiSystem.GitHubActions;
        }

        return string.Equals(environment("TF_BUILD"), "True", StringComparison.OrdinalIgnoreCase) ? CiSystem.AzurePipelines : CiSystem.None;
    }

    /// <summary>The masking command for one form, escaped the way the runner decodes it.</summary>
    public static string Command(CiSystem system, string form) => system switch
    {
        // actions/toolkit escapeData: % first, then CR and LF.
        CiSystem.GitHubActions => "::add-mask::" + new StringBuilder(form).Replace("%", "%25").Replace("\r", "%0D").Replace("\n", "%0A"),

        // The agent's CommandStringConvertor: % first (as %AZP25), then ; CR LF ].
        CiSystem.AzurePipelines => "##vso[task.setsecret]" + new StringBuilder(form).Replace("%", "%AZP25").Replace(";", "%3B").Replace("\r", "%0D").Replace("\n", "%0A").Replace("]", "%5D"),
        _ => throw new ArgumentOutOfRangeException(nameof(system)),
    };

    /// <summary>
    /// Every command needed for one form. An Azure agent turns <c>%AZP25</c> back into <c>%</c> only when its
    /// percent decoding is on; a form with a <c>%</c> is registered both ways, so it is masked either way
    /// (the other registration then names a string that never appears, which is harmless).
    /// </summary>
    public static IEnumerable<string> Commands(CiSystem system, string form)
    {
        yield return Command(system, form);
        if (system == CiSystem.AzurePipelines && form.Contains('%', StringComparison.Ordinal))
        {
            yield return "##vso[task.setsecret]" + new StringBuilder(form).Replace(";", "%3B").Replace("\r", "%0D").Replace("\n", "%0A").Replace("]", "%5D");
        }
    }

    public void Register(ResolvedValueForms forms)
    {
        if (system == CiSystem.None)
        {
            return;
        }

        var registered = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (id, secretForms) in forms.FormsBySecret)
        {
            var skipped = 0;
            foreach (var form in secretForms)
            {
                if (form.Trim().Length < MinimumLength)
                {
                    skipped++;
                    continue;
                }

                if (registered.Add(form))
                {
                    foreach (var command in Commands(system, form))
                    {
                        console.Out.WriteLine(command);
                    }
                }
            }

            if (skipped > 0)
            {
                console.Warn(DiagnosticCodes.CiMaskingSkipped, $"Secret '{id}' has {skipped} form(s) (value, escaped form or line) shorter than {MinimumLength} characters; {system} does not mask them. Use a longer value.");
            }
        }
    }
}
