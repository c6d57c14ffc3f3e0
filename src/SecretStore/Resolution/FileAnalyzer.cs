using SecretStore.Diagnostics;
using SecretStore.Resolution.Files;
using SecretStore.Resolution.Formats;
using SecretStore.Resolution.Mapping;
using SecretStore.Resolution.Reporting;
using SecretStore.Resolution.Syntax;
using SecretStore.Resolution.Text;

namespace SecretStore.Resolution;

/// <summary>
/// Reads one listed file and plans its substitutions: encoding, format, placeholders and their escape
/// contexts, mapping targets. Nothing is fetched here, so list mode stops after this step.
/// </summary>
internal static class FileAnalyzer
{
    public static async Task<FileWork> AnalyzeAsync(string path, string baseDirectory, string? defaultApplication, IReadOnlyList<MappingSpec> mappings, List<Diagnostic> diagnostics, CancellationToken cancellationToken, FileFormat? format = null)
    {
        var work = new FileWork(path, Path.GetFullPath(path));
        if (!await ReadAsync(work, baseDirectory, diagnostics, cancellationToken).ConfigureAwait(false))
        {
            work.Failed = true;
            return work;
        }

        var bytes = work.Bytes!;
        var kind = TextCodec.Detect(bytes);
        var applicable = mappings.Where(m => m.AppliesTo(work.FullPath)).ToList();

        // The cheap path: no '#{secret' anywhere and no mapping means nothing can change; not even decoded.
        if (applicable.Count == 0 && !TextCodec.MayContainMarker(bytes, kind))
        {
            return work;
        }

        work.Encoding = kind;
        if (!TextCodec.TryDecode(bytes, kind, out var text, out var badByte))
        {
            var line = kind is TextEncodingKind.Utf8 or TextEncodingKind.Utf8Bom ? LineMap.LineOfUtf8Byte(bytes, badByte) : 0;
            diagnostics.Add(Error(DiagnosticCodes.InvalidEncoding, $"The file is not valid {Describe(kind)} (first invalid byte at offset {badByte}); it is not rewritten with a lossy fallback.", work.Path, line, 0));
            work.Failed = true;
            return work;
        }

        if (applicable.Count == 0 && text.IndexOf(PlaceholderScanner.Marker, StringComparison.Ordinal) < 0)
        {
            // The bytes matched by chance (UTF-16 at an odd offset): nothing to do, and no format checks either.
            return work;
        }

        work.Text = text;
        work.Lines = new LineMap(text);
        work.Format = format ?? FileFormatDetector.Detect(work.FullPath, text);
        var errorsBefore = diagnostics.Count;
        if (!BuildLayout(work, applicable.Count > 0, diagnostics))
        {
            work.Failed = true;
            return work;
        }

        ScanPlaceholders(work, defaultApplication, diagnostics);
        ApplyMappings(work, applicable, diagnostics);
        if (diagnostics.Count == errorsBefore)
        {
            // Parse the input only now: a placeholder outside a JSON string is reported as such (SSB1005), not as "not JSON".
            ParseInput(work, diagnostics);
        }

        return work;
    }

    private static async Task<bool> ReadAsync(FileWork work, string baseDirectory, List<Diagnostic> diagnostics, CancellationToken cancellationToken)
    {
        try
        {
            var root = PathContainment.RootOf(work.FullPath, baseDirectory);
            if (PathContainment.FindLinkedFolder(root, work.FullPath) is { } link)
            {
                diagnostics.Add(Error(DiagnosticCodes.PathThroughLink, $"The file is reached through the symbolic link (or junction) '{link}', so its real path is not under '{root}'; links to folders are never followed. Resolve the folder the link points to instead.", work.Path));
                return false;
            }

            var info = new FileInfo(work.FullPath);
            if (info.LinkTarget is not null)
            {
                diagnostics.Add(Error(DiagnosticCodes.UnsupportedFile, "The file is a symbolic link; resolve the file it points to instead (a link is never followed, so a secret cannot be written outside the listed tree).", work.Path));
                return false;
            }

            if (!info.Exists)
            {
                diagnostics.Add(Directory.Exists(work.FullPath)
                    ? Error(DiagnosticCodes.UnsupportedFile, "The listed path is a directory, not a file.", work.Path)
                    : Error(DiagnosticCodes.FileNotFound, "The listed file does not exist.", work.Path));
                return false;
            }

            work.Bytes = await File.ReadAllBytesAsync(work.FullPath, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            diagnostics.Add(Error(DiagnosticCodes.UnsupportedFile, $"The file could not be read ({ex.GetType().Name}).", work.Path));
            return false;
        }
    }

    private static bool BuildLayout(FileWork work, bool withPaths, List<Diagnostic> diagnostics)
    {
        var text = work.Text!;
        switch (work.Format)
        {
            case FileFormat.DotEnv or FileFormat.Properties when work.Encoding is TextEncodingKind.Utf16LittleEndian or TextEncodingKind.Utf16BigEndian:
                // Round 13, 2: Node's dotenv reads a .env file as UTF-8 (a UTF-16 one is empty to it), Java's Properties.load
                // as ISO-8859-1 or UTF-8: the file would be written, and not read.
                diagnostics.Add(Error(DiagnosticCodes.InvalidDocument, $"The file is UTF-16, which {(work.Format == FileFormat.DotEnv ? "Node's dotenv reads as an empty file" : "Java's Properties.load does not read")}; save it as UTF-8.", work.Path));
                return false;
            case FileFormat.Json:
                work.Layout = JsonLayout.Scan(text, withPaths);
                return true;
            case FileFormat.Xml:
                var xml = XmlLayout.Scan(text);
                if (xml.HasDtd)
                {
                    var (line, column) = work.Lines!.Locate(xml.DtdOffset);
                    diagnostics.Add(Error(DiagnosticCodes.DtdProhibited, "The XML document has a DTD (<!DOCTYPE or another <! declaration); such files are not processed.", work.Path, line, column));
                    return false;
                }

                work.Layout = xml;
                return true;
            case FileFormat.Ini:
                work.Layout = IniLayout.Scan(text);
                return true;
            case FileFormat.Properties:
                work.Layout = PropertiesLayout.Scan(text);
                return true;
            case FileFormat.DotEnv:
                var env = DotEnvLayout.Scan(text);
                if (env.FirstInvalidLine > 0)
                {
                    // Even with no placeholder found: a reader may read one where this reading sees a comment or a broken
                    // line (red team round 11, F2; round 12, 3: a single-quoted value over several lines).
                    diagnostics.Add(Error(DiagnosticCodes.InvalidDocument, env.AmbiguousLine == env.FirstInvalidLine ? AmbiguousDotEnv : InvalidDotEnv, work.Path, env.FirstInvalidLine, 1));
                    return false;
                }

                work.Layout = env;
                return true;
            case FileFormat.Yaml:
                var yaml = YamlLayout.Scan(text);
                if (yaml.Error is { } error)
                {
                    // Placeholders are only placed in a file that parses: a scalar after the error is not known.
                    diagnostics.Add(Error(DiagnosticCodes.InvalidDocument, $"The file is not valid YAML: {error}.", work.Path, yaml.ErrorAt.Line, yaml.ErrorAt.Column));
                    return false;
                }

                work.Layout = yaml;
                return true;
            default:
                work.Layout = PlainTextLayout.Instance;
                return true;
        }
    }

    private static void ScanPlaceholders(FileWork work, string? defaultApplication, List<Diagnostic> diagnostics)
    {
        var text = work.Text!;
        if (text.IndexOf(PlaceholderScanner.Marker, StringComparison.Ordinal) < 0)
        {
            return;
        }

        foreach (var item in PlaceholderScanner.Scan(text, defaultApplication))
        {
            var wholeToken = item is PlaceholderItem { Placeholder.Modifiers: var m } && (m & PlaceholderModifiers.Json) != 0;
            var site = work.Layout!.Classify(item.Start, item.Start + item.Length, wholeToken);
            if (site.Kind == SiteKind.Comment)
            {
                continue;
            }

            var (line, column) = work.Lines!.Locate(item.Start);
            if (site.Kind == SiteKind.Overrun && item is not EscapeItem)
            {
                // "#{secret:Db", "b": "x}" must read as an unclosed placeholder, not as a name with quotes in it.
                var span = text.AsSpan(item.Start, item.Length);
                var stop = span[PlaceholderScanner.Prefix.Length..].IndexOfAny("\"']<");
                var shown = stop < 0 ? span : span[..(PlaceholderScanner.Prefix.Length + stop)];
                diagnostics.Add(Error(DiagnosticCodes.UnterminatedPlaceholder, $"Placeholder {PlaceholderScanner.Quote(shown.ToString())} is not closed with '}}' within {site.Reason}.", work.Path, line, column));
                continue;
            }

            switch (item)
            {
                case SyntaxErrorItem error:
                    diagnostics.Add(Error(error.Code, error.Message, work.Path, line, column));
                    break;
                case EscapeItem escape:
                    work.Escapes.Add(escape.Start);
                    break;
                case PlaceholderItem { Placeholder: var placeholder }:
                    if (site.Kind == SiteKind.Forbidden)
                    {
                        diagnostics.Add(Error(site.Code ?? DiagnosticCodes.ValueNotAllowedInContext, $"Placeholder {PlaceholderScanner.Quote(placeholder.Text)} cannot be substituted here: {site.Reason}.", work.Path, line, column));
                        break;
                    }

                    work.Substitutions.Add(new Substitution
                    {
                        Id = placeholder.Id,
                        Revision = placeholder.Revision,
                        Modifiers = placeholder.Modifiers,
                        Source = PlaceholderSource.Placeholder,
                        Text = placeholder.Text,
                        Line = line,
                        Column = column,
                        Site = site,
                    });
                    break;
                default:
                    break;
            }
        }
    }

    private static void ApplyMappings(FileWork work, List<MappingSpec> applicable, List<Diagnostic> diagnostics)
    {
        foreach (var spec in applicable)
        {
            var path = spec.Mapping.ConfigurationPath;
            List<(int Start, int End, EscapeContext Context)> targets;
            YamlFrame?[]? frames = null;
            switch (work.Layout)
            {
                case YamlLayout yaml:
                    var scalars = MappingTargets.FindInYaml(yaml, path);
                    targets = [.. scalars.Select(s => s.Style == YamlStyle.DoubleQuoted
                        ? (s.ContentStart, s.ContentEnd, EscapeContext.YamlDoubleQuoted)
                        : (s.Start, s.End, s.Style == YamlStyle.Plain ? EscapeContext.YamlPlain : EscapeContext.YamlSingleQuoted))];
                    frames = [.. scalars.Select(yaml.WholeFrame)];
                    break;
                case JsonLayout json:
                    targets = [.. MappingTargets.FindInJson(json, path).Select(t => (t.Start, t.End, EscapeContext.JsonString))];
                    break;
                case XmlLayout xml:
                    targets = [.. MappingTargets.FindInXml(xml, work.Text!, path).Select(t => (t.Start, t.End, EscapeContext.XmlAttribute))];
                    break;
                case IniLayout ini:
                    targets = MappingTargets.FindInIni(ini, path);
                    break;
                default:
                    if (spec.Mapping.File is not null)
                    {
                        diagnostics.Add(Error(DiagnosticCodes.MappingPathNotFound, $"Mapping '{path}' selects this file, but structured mappings apply to JSON, XML, INI and YAML config files only.", work.Path));
                    }

                    continue;
            }

            if (targets.Count == 0)
            {
                if (spec.Mapping.File is not null)
                {
                    diagnostics.Add(Error(DiagnosticCodes.MappingPathNotFound, $"Mapping '{path}' -> '{spec.Reference}': the path does not exist in this file as a {(work.Layout is IniLayout ? "key (Section:Key)" : work.Layout is YamlLayout ? "plain or quoted string scalar (Key:Child:0)" : "string value")}{(work.Layout is XmlLayout ? " (connectionStrings/add[@name]/@connectionString or appSettings/add[@key]/@value)" : string.Empty)}.", work.Path));
                }

                continue;
            }

            spec.Hits++;
            for (var t = 0; t < targets.Count; t++)
            {
                var (start, end, context) = targets[t];
                var (line, column) = work.Lines!.Locate(start);
                if (work.Substitutions.Any(s => s.Site.ReplaceStart < end && start < s.Site.ReplaceEnd))
                {
                    diagnostics.Add(Error(DiagnosticCodes.ValueNotAllowedInContext, $"Mapping '{path}' targets a value that also holds a placeholder; use one or the other.", work.Path, line, column));
                    continue;
                }

                work.Substitutions.Add(new Substitution
                {
                    Id = spec.Id,
                    Revision = spec.Revision,
                    Modifiers = spec.Mapping.Optional ? PlaceholderModifiers.Optional : PlaceholderModifiers.None,
                    Source = PlaceholderSource.Mapping,
                    Text = $"mapping '{path}'",
                    Line = line,
                    Column = column,
                    Site = new Site(SiteKind.Substitute, context, start, end, Yaml: frames?[t]),
                });
            }
        }

        work.Substitutions.Sort((a, b) => a.Site.ReplaceStart.CompareTo(b.Site.ReplaceStart));
    }

    private static void ParseInput(FileWork work, List<Diagnostic> diagnostics)
    {
        if (work.Substitutions.Count == 0 && work.Escapes.Count == 0)
        {
            return;
        }

        int line, column;
        switch (work.Format)
        {
            case FileFormat.Json:
                using (var document = JsonShape.TryParse(work.Text!, out line, out column))
                {
                    if (document is null)
                    {
                        diagnostics.Add(Error(DiagnosticCodes.InvalidDocument, "The file is not valid JSON (comments and trailing commas are allowed).", work.Path, line, column));
                        work.Failed = true;
                        return;
                    }

                    work.JsonInput = document.RootElement.Clone();
                }

                break;
            case FileFormat.Xml:
                work.XmlInput = XmlShape.TryRead(work.Text!, out line, out column, out var dtd);
                if (work.XmlInput is null)
                {
                    diagnostics.Add(dtd
                        ? Error(DiagnosticCodes.DtdProhibited, "The XML document has a DTD; such files are not processed.", work.Path, line, column)
                        : Error(DiagnosticCodes.InvalidDocument, "The file is not well-formed XML.", work.Path, line, column));
                    work.Failed = true;
                }

                break;
            case FileFormat.Ini:
                var layout = (IniLayout)work.Layout!;
                work.IniInput = IniShape.TryRead(work.Text!);
                if (work.IniInput is null || layout.FirstInvalidLine != 0)
                {
                    // The reader's message quotes the line, which may hold a value: only its number is reported.
                    var invalid = layout.FirstInvalidLine != 0;
                    var duplicate = invalid ? null : FirstDuplicate(layout.Entries.Select(e => (e.Key, e.Line)), StringComparer.OrdinalIgnoreCase);
                    diagnostics.Add(Error(
                        DiagnosticCodes.InvalidDocument,
                        invalid ? "The file is not valid INI as the .NET INI configuration provider reads it: the line is neither key=value, [section] nor a comment (;, # or /)."
                            : $"The file is not valid INI as the .NET INI configuration provider reads it: the key '{duplicate?.Key}' is given twice.",
                        work.Path,
                        invalid ? layout.FirstInvalidLine : duplicate?.Line ?? 0,
                        invalid || duplicate is not null ? 1 : 0));
                    work.Failed = true;
                }

                break;
            case FileFormat.DotEnv when FirstDuplicate(((DotEnvLayout)work.Layout!).Entries.Select(e => (e.Key, e.Line)), StringComparer.Ordinal) is { } twice:
                diagnostics.Add(Error(DiagnosticCodes.InvalidDocument, $"The file is not a valid .env file to resolve: the key '{twice.Key}' is given twice, and readers keep one of the two (a secret written into the other would never be read).", work.Path, twice.Line, 1));
                work.Failed = true;
                break;
            case FileFormat.Properties when ((PropertiesLayout)work.Layout!).FirstMalformedLine is var malformed and > 0:
                diagnostics.Add(Error(DiagnosticCodes.InvalidDocument, "The file is not a valid .properties file as Java reads it: a \\uXXXX escape is not four hexadecimal digits.", work.Path, malformed, 1));
                work.Failed = true;
                break;
            case FileFormat.Properties when FirstDuplicate(((PropertiesLayout)work.Layout!).Entries.Select(e => (e.Key, e.Line)), StringComparer.Ordinal) is { } twice:
                diagnostics.Add(Error(DiagnosticCodes.InvalidDocument, $"The file is not a valid .properties file to resolve: the key '{twice.Key}' is given twice, and Java keeps the last (a secret written into the first would never be read).", work.Path, twice.Line, 1));
                work.Failed = true;
                break;
            default:
                break;
        }
    }

    private const string AmbiguousDotEnv = "The file is not a .env file every reader reads alike: the value on the line is quoted with backticks, or has a backslash before its closing quote (\\' or \\\"), which Node's dotenv reads on past (to a later quote, lines further perhaps) and docker compose and DotNetEnv do not; or an unquoted value holds a quote or a control character, or the line ends in a lone carriage return, which DotNetEnv refuses; quote the value with ' or \" without a backslash before the closing quote, and end lines with LF or CRLF.";

    private const string InvalidDotEnv = "The file is not a valid .env file: the line is neither KEY=value (a letter or '_' first; letters, digits, '_', '.', '-'), a comment nor blank (a placeholder cannot stand in a key), or a quote on it is not closed on that line (a quoted value over several lines is read differently by the readers).";

    /// <summary>The second entry of the first key given twice, or null.</summary>
    private static (string Key, int Line)? FirstDuplicate(IEnumerable<(string Key, int Line)> entries, StringComparer comparer)
    {
        var seen = new HashSet<string>(comparer);
        foreach (var entry in entries)
        {
            if (!seen.Add(entry.Key))
            {
                return entry;
            }
        }

        return null;
    }

    private static string Describe(TextEncodingKind kind) => kind switch
    {
        TextEncodingKind.Utf16LittleEndian => "UTF-16 LE",
        TextEncodingKind.Utf16BigEndian => "UTF-16 BE",
        _ => "UTF-8",
    };

    internal static Diagnostic Error(DiagnosticCode code, string message, string? file = null, int line = 0, int column = 0) =>
        new(code, DiagnosticSeverity.Error, message, file, line, column);
}
