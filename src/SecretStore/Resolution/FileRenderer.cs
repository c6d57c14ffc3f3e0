using System.Globalization;
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
        IReadOnlyDictionary<SecretReference, Secret> secrets,
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
        var edits = new List<(int Start, int End, string Written, Substitution? Source)>(work.Substitutions.Count + work.Escapes.Count);
        var wildcards = new HashSet<string>(StringComparer.Ordinal);
        var intended = new Dictionary<Substitution, string>();
        var failed = false;
        foreach (var substitution in work.Substitutions)
        {
            if (!secrets.TryGetValue(substitution.Reference, out var secret))
            {
                failed |= ReportMissing(work, substitution, failedApplications, allowOptional, diagnostics);
                continue;
            }

            var outcome = ValueEscaper.Escape(secret.Value, substitution.Site.Context, substitution.Modifiers, lineEnding, substitution.Site.Yaml);
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
            intended[substitution] = Intended(secret.Value, outcome.Written, substitution.Modifiers);
            edits.Add((substitution.Site.ReplaceStart, substitution.Site.ReplaceEnd, outcome.Written, substitution));
        }

        if (failed)
        {
            return;
        }

        foreach (var escape in work.Escapes)
        {
            edits.Add((escape, escape + 1, string.Empty, null));
        }

        edits.Sort((a, b) => a.Start.CompareTo(b.Start));
        var output = new StringBuilder(text.Length + 64);
        var written = new List<(int Start, int End, Substitution Source)>(work.Substitutions.Count);
        var position = 0;
        foreach (var (start, end, value, source) in edits)
        {
            output.Append(text, position, start - position);
            if (source is not null)
            {
                written.Add((output.Length, output.Length + value.Length, source));
            }

            output.Append(value);
            position = end;
        }

        output.Append(text, position, text.Length - position);
        var resolved = output.ToString();
        if (!NoPlaceholderInValues(work, resolved, written, diagnostics) || !ShapeHolds(work, resolved, wildcards, diagnostics)
            || !ValuesReadBack(work, resolved, intended, diagnostics) || !YamlReadsBack(work, resolved, intended, diagnostics))
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

        if (substitution.Revision is { } pinned)
        {
            // A pin is deliberate: a revision the store does not keep is an error even for an optional placeholder.
            substitution.Outcome = PlaceholderOutcome.Failed;
            diagnostics.Add(FileAnalyzer.Error(DiagnosticCodes.RevisionNotFound, string.Create(CultureInfo.InvariantCulture, $"{Describe(substitution)}: revision {pinned} of secret '{substitution.Id}' is not kept by the store (never written, deleted at that revision, pruned or purged). Fix: 'secretstore history {substitution.Id}' lists the revisions kept; pin one of those, or remove the pin."), work.Path, substitution.Line, substitution.Column));
            return true;
        }

        if (substitution.IsOptional && allowOptional)
        {
            substitution.Outcome = PlaceholderOutcome.OptionalMissing;
            diagnostics.Add(new Diagnostic(DiagnosticCodes.OptionalSecretMissing, DiagnosticSeverity.Warning, $"{Describe(substitution)}: optional secret '{substitution.Id}' was not found; the file keeps its text.", work.Path, substitution.Line, substitution.Column));
            return false;
        }

        substitution.Outcome = PlaceholderOutcome.Failed;
        diagnostics.Add(FileAnalyzer.Error(DiagnosticCodes.SecretNotFound, $"{Describe(substitution)}: secret '{substitution.Id}' was not found{(substitution.IsOptional ? " (optional secrets are not allowed in this run)" : string.Empty)}. Fix: secretstore set {substitution.Id}{(substitution.IsOptional ? string.Empty : ", or mark the placeholder |optional")}.", work.Path, substitution.Line, substitution.Column));
        return true;
    }

    /// <summary>
    /// A value is written once and never scanned again in this run, but the file may be resolved again (MSBuild
    /// publishes, then <c>secretstore resolve</c> runs over the artifact): any placeholder text that a written value
    /// forms, alone or with the text beside it, would then fetch and write another secret. Such output is refused
    /// (<c>SSB1019</c>); the <c>literal</c> modifier writes a value's <c>#</c> so that it never reads as one.
    /// </summary>
    private static bool NoPlaceholderInValues(FileWork work, string resolved, List<(int Start, int End, Substitution Source)> written, List<Diagnostic> diagnostics)
    {
        var ok = true;
        var reported = new HashSet<Substitution>();
        for (var at = resolved.IndexOf(PlaceholderScanner.Marker, StringComparison.Ordinal); at >= 0; at = resolved.IndexOf(PlaceholderScanner.Marker, at + 1, StringComparison.Ordinal))
        {
            if (PlaceholderScanner.IsForeignToken(resolved, at))
            {
                continue;
            }

            // A preceding '#' makes it the '##{secret' escape, which a later resolve rewrites too.
            var from = at > 0 && resolved[at - 1] == '#' ? at - 1 : at;
            var to = at + PlaceholderScanner.Marker.Length;
            foreach (var (start, end, source) in written)
            {
                if (start < to && from < end && reported.Add(source))
                {
                    ok = false;
                    source.Outcome = PlaceholderOutcome.Failed;
                    var hint = (source.Modifiers & PlaceholderModifiers.Literal) != 0
                        ? "together with the file text beside the placeholder; change the value or the text around it"
                        : source.Source == PlaceholderSource.Placeholder
                            ? "add the 'literal' modifier to write it so that it can never be read as a placeholder, or change the value"
                            : "change the value, or write it through a placeholder with the 'literal' modifier";
                    diagnostics.Add(FileAnalyzer.Error(DiagnosticCodes.PlaceholderInValue, $"{Describe(source)}: the value of secret '{source.Id}' would put placeholder text ('{PlaceholderScanner.Marker}') into the file, which a later resolve of the file would read as a placeholder; {hint}.", work.Path, source.Line, source.Column));
                }
            }
        }

        return ok;
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
            case FileFormat.DotEnv:
                var env = DotEnvLayout.Scan(resolved);
                return (env.FirstInvalidLine == 0 && env.Entries.Select(e => e.Key).SequenceEqual(((DotEnvLayout)work.Layout!).Entries.Select(e => e.Key), StringComparer.Ordinal))
                    || Fail(work, diagnostics, "the keys or their order differ, or a quote is no longer closed");
            case FileFormat.Properties:
                var keys = PropertiesLayout.Scan(resolved);
                return (keys.FirstMalformedLine == 0 && keys.Entries.Select(e => e.Key).SequenceEqual(((PropertiesLayout)work.Layout!).Entries.Select(e => e.Key), StringComparer.Ordinal))
                    || Fail(work, diagnostics, "the keys or their order differ, or an escape is no longer valid");
            case FileFormat.Ini when work.IniInput is { } input:
                var read = IniShape.TryRead(resolved);
                if (read is null)
                {
                    return Fail(work, diagnostics, "the result is no longer valid INI (a key given twice, or a line that is not key=value)");
                }

                return IniShape.SameKeys(input, read) || Fail(work, diagnostics, "the keys or their order differ");
            default:
                return true;
        }
    }

    /// <summary>
    /// A YAML file is parsed again and compared event by event with the input read with a sentinel at each placeholder
    /// (<see cref="YamlShape.Compare"/>): the same documents, keys, nesting, sequence lengths, anchors and tags, every
    /// untouched scalar the same, and each written scalar exactly the input's text with the value in place of the
    /// placeholder, still a string. A shape difference is <c>SSB1008</c>; a value that does not read back is <c>SSB1005</c>.
    /// </summary>
    private static bool YamlReadsBack(FileWork work, string resolved, Dictionary<Substitution, string> intended, List<Diagnostic> diagnostics)
    {
        if (work.Layout is not YamlLayout)
        {
            return true;
        }

        var placed = work.Substitutions.Where(intended.ContainsKey).ToList();
        var marks = placed.Select((s, i) => (Mark: $"\uE000{i}\uE001", Value: intended[s], Json: s.Site.Context == EscapeContext.YamlJsonValue, Raw: (s.Modifiers & PlaceholderModifiers.Raw) != 0)).ToList();
        var edits = placed.Select((s, i) => (Start: s.Site.Yaml!.PlaceholderStart, End: s.Site.Yaml.PlaceholderEnd, Mark: marks[i].Mark)).ToList();
        var input = YamlShape.TryRead(Marked(work, edits));
        var output = YamlShape.TryRead(resolved);
        if (output is null)
        {
            return Fail(work, diagnostics, "the result no longer parses as YAML");
        }

        switch (input is null ? -1 : YamlShape.Compare(input, output, marks))
        {
            case null:
                return true;
            case -1:
                return Fail(work, diagnostics, "documents, keys, nesting, sequence lengths, anchors, tags or other values differ");
            case int index:
                var culprit = placed[index];
                culprit.Outcome = PlaceholderOutcome.Failed;
                diagnostics.Add(FileAnalyzer.Error(DiagnosticCodes.ValueNotAllowedInContext, $"{Describe(culprit)} for '{culprit.Id}' cannot be written into this {Style(culprit.Site.Yaml!.Style)} YAML scalar so that a YAML reader reads it back as the same string (a block scalar's indentation or line ends, or spaces at a line's edge, would change it, or it would read as a number or boolean). Fix: use a double-quoted scalar (\"...\") in the file, or the 'base64' modifier.", work.Path, culprit.Line, culprit.Column));
                return false;
        }

        static string Style(YamlStyle style) => style switch
        {
            YamlStyle.Plain => "plain",
            YamlStyle.SingleQuoted => "single-quoted",
            YamlStyle.DoubleQuoted => "double-quoted",
            YamlStyle.Literal => "literal block",
            _ => "folded block",
        };
    }

    /// <summary>What a reader of the file should get where a value was written: the value (base64-encoded with that modifier), or the written text itself with <c>raw</c>.</summary>
    private static string Intended(string value, string written, PlaceholderModifiers modifiers) =>
        (modifiers & PlaceholderModifiers.Raw) != 0 ? written
        : (modifiers & PlaceholderModifiers.Base64) != 0 ? Convert.ToBase64String(Encoding.UTF8.GetBytes(value))
        : value;

    /// <summary>
    /// Formats read by a line-oriented parser (INI) are checked beyond their shape: the file's own reader, run over the
    /// output, must give each key that received a value exactly the input's value with every placeholder in it replaced
    /// by its value (and each <c>##{secret</c> escape by <c>#{secret</c>). A value that the reader would trim, unquote or
    /// cut where it stands is refused, naming the key and placeholder (<c>SSB1005</c>), and nothing is written.
    /// </summary>
    private static bool ValuesReadBack(FileWork work, string resolved, Dictionary<Substitution, string> intended, List<Diagnostic> diagnostics)
    {
        if (work.Layout is PropertiesLayout properties)
        {
            return EntriesReadBack(work, resolved, intended, diagnostics, text => [.. PropertiesLayout.Scan(text).Entries.Select(e => (e.Key, e.Value))], properties.EntryAt, ".properties", "Java");
        }

        if (work.Layout is DotEnvLayout dotEnv)
        {
            return EntriesReadBack(work, resolved, intended, diagnostics, text => [.. DotEnvLayout.Scan(text).Entries.Select(e => (e.Key, (string?)e.Value))], dotEnv.EntryAt, ".env", "a .env reader");
        }

        return work.Layout is not IniLayout ini
            || EntriesReadBack(work, resolved, intended, diagnostics, text => [.. (IniShape.TryRead(text) ?? []).Select(p => (p.Key, p.Value))], ini.EntryIndexAt, "INI", "the .NET INI reader");
    }

    /// <summary>
    /// The check itself: the input read with each written span replaced by a sentinel the format's reader leaves alone
    /// (no whitespace, quote or escape in it), the sentinels then replaced by the values, must be what reading the
    /// output gives, entry by entry (the shape check has made the entries line up).
    /// </summary>
    private static bool EntriesReadBack(
        FileWork work,
        string resolved,
        Dictionary<Substitution, string> intended,
        List<Diagnostic> diagnostics,
        Func<string, List<(string Key, string? Value)>> read,
        Func<int, int> entryAt,
        string format,
        string reader)
    {
        var edits = work.Substitutions.Where(intended.ContainsKey).Select((s, i) => (Start: s.Site.ReplaceStart, End: s.Site.ReplaceEnd, Mark: $"\uE000{i}\uE001", Value: intended[s])).ToList();
        var expected = read(Marked(work, [.. edits.Select(e => (e.Start, e.End, e.Mark))]));
        var actual = read(resolved);
        for (var i = 0; i < expected.Count && i < actual.Count; i++)
        {
            var want = expected[i].Value;
            if (want is null || !want.Contains('\uE000', StringComparison.Ordinal))
            {
                continue;
            }

            foreach (var edit in edits)
            {
                want = want.Replace(edit.Mark, edit.Value, StringComparison.Ordinal);
            }

            if (!string.Equals(want, actual[i].Value, StringComparison.Ordinal))
            {
                var first = work.Substitutions.First(s => entryAt(s.Site.ReplaceStart) == i);
                first.Outcome = PlaceholderOutcome.Failed;
                diagnostics.Add(FileAnalyzer.Error(DiagnosticCodes.ValueNotAllowedInContext, $"{Describe(first)} for '{first.Id}' cannot be written into {format} key '{expected[i].Key}' so that {reader} reads it back exactly: with 'raw', or where spaces at the value's edge would be trimmed or an empty value leaves the text after it at the value's start. Fix: drop 'raw', make the placeholder the whole value, or use the 'base64' modifier.", work.Path, first.Line, first.Column));
                return false;
            }
        }

        return true;
    }

    /// <summary>The input with each written span replaced by its sentinel and each <c>##{secret</c> escape unescaped, as the read-back checks read it.</summary>
    private static string Marked(FileWork work, List<(int Start, int End, string Mark)> marks)
    {
        var text = work.Text!;
        var marked = new StringBuilder(text.Length);
        var position = 0;
        foreach (var (start, end, mark) in marks.Concat(work.Escapes.Select(e => (Start: e, End: e + 1, Mark: string.Empty))).OrderBy(e => e.Start))
        {
            marked.Append(text, position, start - position).Append(mark);
            position = end;
        }

        return marked.Append(text, position, text.Length - position).ToString();
    }

    private static bool Fail(FileWork work, List<Diagnostic> diagnostics, string difference)
    {
        // Point at the likeliest culprit: the first raw substitution, else the first substitution.
        var suspect = work.Substitutions.FirstOrDefault(s => (s.Modifiers & PlaceholderModifiers.Raw) != 0) ?? work.Substitutions.FirstOrDefault();
        var where = suspect is null ? string.Empty : $" First suspect: {Describe(suspect)}.";
        diagnostics.Add(FileAnalyzer.Error(DiagnosticCodes.ShapeChanged, $"Resolving the file would change its shape: {difference}. A secret must never add or remove a key, element or attribute (check 'raw' modifiers).{where}", work.Path, suspect?.Line ?? 0, suspect?.Column ?? 0));
        return false;
    }

    /// <summary>How messages name a substitution: <c>Placeholder '#{secret:...}'</c> or <c>Mapping 'Path'</c>.</summary>
    internal static string Describe(Substitution substitution) =>
        substitution.Source == PlaceholderSource.Placeholder ? $"Placeholder {PlaceholderScanner.Quote(substitution.Text)}" : $"Mapping {substitution.Text[8..]}";
}
