using System.Text;
using SecretStore.Diagnostics;
using SecretStore.Resolution.Escaping;
using SecretStore.Resolution.Formats;
using SecretStore.Resolution.Reporting;
using SecretStore.Resolution.Syntax;
using SecretStore.Resolution.Text;
using SecretStore.Secrets;

namespace SecretStore.Resolution;

/// <summary>
/// Builds the resolved bytes of one file from its planned substitutions and the fetched secrets, then parses
/// the result again and compares its shape with the input. The output is assembled from untouched slices of the
/// original text and the escaped values; nothing written is ever scanned again, so a value that looks like a
/// placeholder stays literal.
/// </summary>
internal static class FileRenderer
{
    public static void Render(
        FileWork work,
        IReadOnlyDictionary<SecretId, Secret> secrets,
        IReadOnlySet<string> failedApplications,
        bool allowOptional,
        List<Diagnostic> diagnostics,
        ValueFormCollector forms)
    {
        if (work.Failed || work.Text is null || (work.Substitutions.Count == 0 && work.Escapes.Count == 0))
        {
            return;
        }

        var text = work.Text;
        var lineEnding = work.Lines!.LineEnding;
        var edits = new List<(int Start, int End, string Written)>(work.Substitutions.Count + work.Escapes.Count);
        var wildcards = new HashSet<string>(StringComparer.Ordinal);
        var failed = false;
        foreach (var substitution in work.Substitutions)
        {
            if (!secrets.TryGetValue(substitution.Id, out var secret))
            {
                failed |= ReportMissing(work, substitution, failedApplications, allowOptional, diagnostics);
                continue;
            }

            var outcome = ValueEscaper.Escape(secret.Value, substitution.Site.Context, substitution.Modifiers, lineEnding);
            if (outcome.Written is null)
            {
                substitution.Outcome = PlaceholderOutcome.Failed;
                diagnostics.Add(FileAnalyzer.Error(outcome.Code!, $"{Describe(substitution)} for '{substitution.Id}' cannot be written as {substitution.Site.Context}: {outcome.Reason}.", work.Path, substitution.Line, substitution.Column));
                failed = true;
                continue;
            }

            substitution.Outcome = PlaceholderOutcome.Resolved;
            substitution.Metadata = secret.Metadata;
            if (substitution.Site.Context == EscapeContext.JsonValue)
            {
                wildcards.Add(substitution.Text);
            }

            forms.Add(substitution.Id, secret.Value, outcome.Written, substitution.Modifiers);
            edits.Add((substitution.Site.ReplaceStart, substitution.Site.ReplaceEnd, outcome.Written));
        }

        if (failed)
        {
            return;
        }

        foreach (var escape in work.Escapes)
        {
            edits.Add((escape, escape + 1, string.Empty));
        }

        edits.Sort((a, b) => a.Start.CompareTo(b.Start));
        var output = new StringBuilder(text.Length + 64);
        var position = 0;
        foreach (var (start, end, written) in edits)
        {
            output.Append(text, position, start - position).Append(written);
            position = end;
        }

        output.Append(text, position, text.Length - position);
        var resolved = output.ToString();
        if (!ShapeHolds(work, resolved, wildcards, diagnostics))
        {
            return;
        }

        work.Output = TextCodec.Encode(resolved, work.Encoding!.Value);
        work.Changed = !work.Output.AsSpan().SequenceEqual(work.Bytes);
    }

    private static bool ReportMissing(FileWork work, Substitution substitution, IReadOnlySet<string> failedApplications, bool allowOptional, List<Diagnostic> diagnostics)
    {
        if (failedApplications.Contains(substitution.Id.ApplicationName))
        {
            // The store error for the whole application is reported once already.
            substitution.Outcome = PlaceholderOutcome.Failed;
            return true;
        }

        if (substitution.IsOptional && allowOptional)
        {
            substitution.Outcome = PlaceholderOutcome.OptionalMissing;
            diagnostics.Add(new Diagnostic(DiagnosticCodes.OptionalSecretMissing, DiagnosticSeverity.Warning, $"{Describe(substitution)}: optional secret '{substitution.Id}' was not found; the file keeps its text.", work.Path, substitution.Line, substitution.Column));
            return false;
        }

        substitution.Outcome = PlaceholderOutcome.Failed;
        diagnostics.Add(FileAnalyzer.Error(DiagnosticCodes.SecretNotFound, $"{Describe(substitution)}: secret '{substitution.Id}' was not found{(substitution.IsOptional ? " (optional secrets are not allowed in this run)" : string.Empty)}.", work.Path, substitution.Line, substitution.Column));
        return true;
    }

    private static bool ShapeHolds(FileWork work, string resolved, IReadOnlySet<string> wildcards, List<Diagnostic> diagnostics)
    {
        switch (work.Format)
        {
            case FileFormat.Json when work.JsonInput is { } input:
                using (var document = JsonShape.TryParse(resolved, out var line, out _))
                {
                    // The parser's position and message may point into a value: only the line is reported.
                    var difference = document is null ? $"the result no longer parses (near line {line})" : JsonShape.FindDifference(input, document.RootElement, wildcards) is { } path ? $"the structure differs at '{path}'" : null;
                    return difference is null || Fail(work, diagnostics, difference);
                }

            case FileFormat.Xml when work.XmlInput is { } input:
                var shape = XmlShape.TryRead(resolved, out var xmlLine, out _, out _);
                if (shape is null)
                {
                    return Fail(work, diagnostics, $"the result is no longer well-formed XML (near line {xmlLine})");
                }

                return shape.SequenceEqual(input, StringComparer.Ordinal) || Fail(work, diagnostics, "elements, attributes, comments or CDATA sections differ");
            default:
                return true;
        }
    }

    private static bool Fail(FileWork work, List<Diagnostic> diagnostics, string difference)
    {
        // Point at the likeliest culprit: the first raw substitution, else the first substitution.
        var suspect = work.Substitutions.FirstOrDefault(s => (s.Modifiers & PlaceholderModifiers.Raw) != 0) ?? work.Substitutions.FirstOrDefault();
        var where = suspect is null ? string.Empty : $" First suspect: {Describe(suspect)}.";
        diagnostics.Add(FileAnalyzer.Error(DiagnosticCodes.ShapeChanged, $"Resolving the file would change its shape: {difference}. A secret must never add or remove a key, element or attribute (check 'raw' modifiers).{where}", work.Path, suspect?.Line ?? 0, suspect?.Column ?? 0));
        return false;
    }

    private static string Describe(Substitution substitution) =>
        substitution.Source == PlaceholderSource.Placeholder ? $"Placeholder {PlaceholderScanner.Quote(substitution.Text)}" : $"Mapping {substitution.Text[8..]}";
}
