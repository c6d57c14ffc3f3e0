using System.Text;
using SecretStore.Resolution;

namespace SecretStore.Diagnostics.Ci;

/// <summary>
/// Registers every form of every resolved value with the CI system's log masker before any file is written
/// (<see cref="ResolveRequest.BeforeWrite"/>) or any value printed (<c>get</c>), so no later log line can show
/// one. The commands go to <b>stderr</b>: both runners read the step's stderr line by line and process commands
/// on it exactly as on stdout (docs/ci.md), while stdout is often captured (<c>files=$(...)</c>, <c>| xargs</c>,
/// <c>| tee</c>), which would hide the commands from the runner and put the value in a variable, a file or an
/// ordinary log line. Forms shorter than <see cref="MinimumLength"/> are not registered (masking them would
/// blank out ordinary log text) and the secret is named in warning <c>SSB0005</c>, never its value. One masker for
/// every face that hands values on (the CLI's <c>get</c>, <c>resolve</c>, <c>run</c>, <c>export</c>; the Cake aliases).
/// </summary>
/// <param name="system">The CI system of the run (<see cref="CiSystem.None"/>: nothing is written).</param>
/// <param name="commands">Where the commands go: the process's stderr, which the runner reads line by line.</param>
/// <param name="warn">Receives the value-free <c>SSB0005</c> warnings, after every command is out.</param>
public sealed class CiMasker(CiSystem system, TextWriter commands, Action<Diagnostic> warn)
{
    /// <summary>Shorter forms are not registered.</summary>
    public const int MinimumLength = 4;

    /// <summary>The CI system the commands are written for.</summary>
    public CiSystem System => system;

    /// <summary>
    /// Refuses (<c>SSB0007</c>) when variables of both runners are set, before any value is read: masking for the
    /// wrong one prints every value in clear. Call it before reading values.
    /// </summary>
    /// <param name="environment">Reads environment variables.</param>
    public static void ThrowIfAmbiguous(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (CiEnvironment.IsAmbiguous(environment))
        {
            throw new SecretStoreException(
                DiagnosticCodes.AmbiguousCiSystem,
                "Both GITHUB_ACTIONS and TF_BUILD are set, so it is unknown which CI system reads the mask commands; masking a value for the wrong one would print it in clear, so no value is read.");
        }
    }

    /// <summary>
    /// The literal sequences an Azure agent decodes in every command (CommandStringConvertor.Unescape:
    /// <c>%3B</c> to <c>;</c>, <c>%0D</c>, <c>%0A</c>, <c>%5D</c> to <c>]</c>), whether or not it decodes percents.
    /// </summary>
    private static readonly string[] AzureReservedSequences = ["%3B", "%0D", "%0A", "%5D"];

    /// <summary>The masking command for one form, escaped the way the runner decodes it.</summary>
    public static string Command(CiSystem system, string form) => system switch
    {
        // actions/toolkit escapeData: % first, then CR and LF.
        CiSystem.GitHubActions => "::add-mask::" + new StringBuilder(form).Replace("%", "%25").Replace("\r", "%0D").Replace("\n", "%0A"),

        // The agent's CommandStringConvertor: % first (as %AZP25), then ; CR LF ].
        CiSystem.AzurePipelines => "##vso[task.setsecret]" + EscapeAzureReserved(new StringBuilder(form).Replace("%", "%AZP25")),
        _ => throw new ArgumentOutOfRangeException(nameof(system)),
    };

    /// <summary>
    /// Every command needed for one form. An Azure agent turns <c>%AZP25</c> back into <c>%</c> only when its
    /// percent decoding is on (the DECODE_PERCENTS knob); with it off, agents before 3.220.1 register the
    /// command's text with <c>%AZP25</c> still in it, which never appears in a log. So a form with a <c>%</c> is
    /// also registered without percent escaping, for such agents. They still decode <c>%3B</c>, <c>%0D</c>,
    /// <c>%0A</c> and <c>%5D</c>, and no escaping can make them register a string that holds one of those
    /// literally: for them the pieces between those sequences are registered instead
    /// (<see cref="PiecesForAgentsWithoutPercentDecoding"/>), pieces shorter than <see cref="MinimumLength"/>
    /// left out. Registrations one kind of agent cannot use name strings that never appear, which is harmless.
    /// </summary>
    public static IEnumerable<string> Commands(CiSystem system, string form)
    {
        yield return Command(system, form);
        if (system == CiSystem.AzurePipelines && form.Contains('%', StringComparison.Ordinal))
        {
            foreach (var piece in PiecesForAgentsWithoutPercentDecoding(form).Where(IsLongEnough))
            {
                yield return "##vso[task.setsecret]" + EscapeAzureReserved(new StringBuilder(piece));
            }
        }
    }

    /// <summary>
    /// What an Azure agent without percent decoding can be made to mask of a form: the form cut at each literal
    /// <c>%3B</c>, <c>%0D</c>, <c>%0A</c>, <c>%5D</c> (the form itself when it holds none). Empty pieces are left out.
    /// </summary>
    public static IReadOnlyList<string> PiecesForAgentsWithoutPercentDecoding(string form)
    {
        var pieces = new List<string>();
        var start = 0;
        for (var i = form.IndexOf('%', StringComparison.Ordinal); i >= 0; i = form.IndexOf('%', i + 1))
        {
            // The agent's Replace is ordinal: %3b is not decoded, so it does not cut.
            if (Array.Exists(AzureReservedSequences, sequence => string.CompareOrdinal(form, i, sequence, 0, sequence.Length) == 0))
            {
                pieces.Add(form[start..i]);
                start = i + 3;
                i += 2;
            }
        }

        pieces.Add(form[start..]);
        return pieces.Where(p => p.Length > 0).ToList();
    }

    private static string EscapeAzureReserved(StringBuilder text) =>
        text.Replace(";", "%3B").Replace("\r", "%0D").Replace("\n", "%0A").Replace("]", "%5D").ToString();

    private static bool IsLongEnough(string form) => form.Trim().Length >= MinimumLength;

    /// <summary>
    /// How long a face waits after its mask commands before the first value goes anywhere else (a file, a child
    /// process, stdout). The runner reads a step's stdout and stderr on two threads, so a line written to stdout
    /// right after the commands went to stderr could otherwise be processed before them.
    /// </summary>
    public static readonly TimeSpan SettleTime = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// <see cref="Register"/>, then, when a command was written, waits <see cref="SettleTime"/>: what every face calls
    /// right before it hands values on.
    /// </summary>
    /// <param name="forms">The forms of the values about to be handed on.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>True when at least one command was written.</returns>
    public async Task<bool> RegisterAndSettleAsync(ResolvedValueForms forms, CancellationToken cancellationToken = default)
    {
        if (!Register(forms))
        {
            return false;
        }

        await Task.Delay(SettleTime, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Writes the commands for every long enough form; does nothing outside a CI run.</summary>
    /// <param name="forms">The forms of the values about to be handed on.</param>
    /// <returns>True when at least one command was written.</returns>
    public bool Register(ResolvedValueForms forms)
    {
        if (system == CiSystem.None)
        {
            return false;
        }

        var registered = new HashSet<string>(StringComparer.Ordinal);

        // Warnings wait until every command is out: the mask lines come before any other line of the run.
        var warnings = new List<string>();
        foreach (var (id, secretForms) in forms.FormsBySecret)
        {
            var skipped = 0;
            var skippedPieces = 0;
            foreach (var form in secretForms)
            {
                if (!IsLongEnough(form))
                {
                    skipped++;
                    continue;
                }

                foreach (var command in Commands(system, form))
                {
                    if (registered.Add(command))
                    {
                        commands.WriteLine(command);
                    }
                }

                if (system == CiSystem.AzurePipelines && form.Contains('%', StringComparison.Ordinal))
                {
                    skippedPieces += PiecesForAgentsWithoutPercentDecoding(form).Count(p => !IsLongEnough(p));
                }
            }

            if (skipped > 0)
            {
                warnings.Add($"Secret '{id}' has {skipped} form(s) (value, escaped form or line) shorter than {MinimumLength} characters; {system} does not mask them. Fix: use a longer value.");
            }

            if (skippedPieces > 0)
            {
                warnings.Add($"Secret '{id}' holds a literal %3B, %0D, %0A or %5D: an Azure agent without percent decoding (DECODE_PERCENTS=false, agents before 3.220.1) masks only the text between them, and {skippedPieces} such piece(s) are shorter than {MinimumLength} characters and stay visible there. Fix: use a longer value or one without those sequences.");
            }
        }

        foreach (var warning in warnings)
        {
            warn(new Diagnostic(DiagnosticCodes.CiMaskingSkipped, DiagnosticSeverity.Warning, warning));
        }

        return registered.Count > 0;
    }
}
