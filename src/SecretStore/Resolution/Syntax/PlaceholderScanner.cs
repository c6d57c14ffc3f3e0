using System.Globalization;
using System.Text;
using SecretStore.Diagnostics;
using SecretStore.Repositories;
using SecretStore.Secrets;

namespace SecretStore.Resolution.Syntax;

/// <summary>
/// Finds <c>#{secret:Name}</c>, <c>#{secret:App/Name@3|mod|mod}</c> and <c>##{secret:</c> escapes in a text.
/// Inside the braces <c>\</c> escapes <c>/</c>, <c>}</c>, <c>|</c>, <c>@</c> and <c>\</c>. A last unescaped <c>@</c>
/// followed by digits alone pins a revision (<see cref="SecretReference"/>). Whitespace at the edge of a
/// part is an error rather than silently trimmed, so <c>#{secret: Db}</c> never quietly means <c>Db</c>.
/// </summary>
internal static class PlaceholderScanner
{
    /// <summary>The marker every placeholder starts with.</summary>
    public const string Prefix = "#{secret:";

    /// <summary>What the scanner looks for: <c>#{secret</c> not followed by <c>:</c> is a stray placeholder (SSB1004).</summary>
    public const string Marker = "#{secret";

    private const int MaxQuotedLength = 80;

    /// <summary>Scans <paramref name="text"/>; results are in offset order.</summary>
    public static List<ScanItem> Scan(string text, string? defaultApplication)
    {
        var items = new List<ScanItem>();
        var from = 0;
        while (from < text.Length)
        {
            var at = text.IndexOf(Marker, from, StringComparison.Ordinal);
            if (at < 0)
            {
                break;
            }

            if (at > 0 && text[at - 1] == '#')
            {
                items.Add(new EscapeItem(at - 1));
                from = at + Marker.Length;
                continue;
            }

            var after = at + Marker.Length;
            if (after >= text.Length || text[after] != ':')
            {
                // "#{secretKey}" is another tool's token (an Octopus variable, say); "#{secret}" or "#{secret |x}" is ours, broken.
                if (after < text.Length && (char.IsLetterOrDigit(text[after]) || text[after] is '_' or '.' or '-'))
                {
                    from = after;
                    continue;
                }

                items.Add(new SyntaxErrorItem(at, Marker.Length, DiagnosticCodes.StrayPlaceholder, $"'{Marker}' is not followed by ':' and a name; write '#{{secret:Name}}', or '##{{' for a literal '#{{'."));
                from = after;
                continue;
            }

            var item = ScanOne(text, at, defaultApplication);
            items.Add(item);
            from = at + Math.Max(item.Length, Prefix.Length);
        }

        return items;
    }

    /// <summary>Quotes placeholder text for a message, shortened so an unterminated one cannot drag in file content.</summary>
    public static string Quote(string placeholderText) =>
        placeholderText.Length <= MaxQuotedLength ? $"'{placeholderText}'" : $"'{placeholderText[..MaxQuotedLength]}...'";

    private static ScanItem ScanOne(string text, int at, string? defaultApplication)
    {
        var parts = new List<string>();
        var idSeparators = new List<int>();
        var pinAt = -1;
        var current = new StringBuilder();
        var i = at + Prefix.Length;
        for (; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\\' && i + 1 < text.Length && text[i + 1] is '/' or '}' or '|' or '@' or '\\')
            {
                current.Append(text[i + 1]);
                i++;
                continue;
            }

            if (c == '}')
            {
                break;
            }

            if (c is '\r' or '\n' || (c == '#' && i + 1 < text.Length && text[i + 1] == '{'))
            {
                return Unterminated(text, at, i);
            }

            if (c == '|')
            {
                parts.Add(current.ToString());
                current.Clear();
                continue;
            }

            if (c == '/' && parts.Count == 0)
            {
                idSeparators.Add(current.Length);
            }

            if (c == '@' && parts.Count == 0)
            {
                pinAt = current.Length;
            }

            current.Append(c);
        }

        if (i >= text.Length)
        {
            return Unterminated(text, at, i);
        }

        parts.Add(current.ToString());
        var length = i + 1 - at;
        var raw = text.Substring(at, length);
        return Build(at, length, raw, parts, idSeparators, pinAt, defaultApplication);
    }

    private static ScanItem Build(int at, int length, string raw, List<string> parts, List<int> idSeparators, int pinAt, string? defaultApplication)
    {
        var id = parts[0];
        long? revision = null;
        if (pinAt >= 0 && pinAt < id.Length - 1 && !id.AsSpan(pinAt + 1).ContainsAnyExceptInRange('0', '9') && (idSeparators.Count == 0 || pinAt > idSeparators[^1]))
        {
            var digits = id[(pinAt + 1)..];
            if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var pinned) || !RecordRevision.IsValid(pinned))
            {
                return new SyntaxErrorItem(at, length, DiagnosticCodes.InvalidPlaceholderName, $"Placeholder {Quote(raw)} pins a revision that is not a whole number from 1; write '\\@' for an '@' that belongs to the name.");
            }

            revision = pinned;
            id = id[..pinAt];
        }

        if (id.Length == 0 && parts.Count == 1)
        {
            return new SyntaxErrorItem(at, length, DiagnosticCodes.StrayPlaceholder, $"Placeholder {Quote(raw)} names no secret.");
        }

        string? application;
        string name;
        if (idSeparators.Count == 0)
        {
            application = defaultApplication;
            name = id;
            if (string.IsNullOrEmpty(application))
            {
                return new SyntaxErrorItem(at, length, DiagnosticCodes.InvalidPlaceholderName, $"Placeholder {Quote(raw)} names no application and no default application is configured.");
            }
        }
        else if (idSeparators.Count == 1)
        {
            application = id[..idSeparators[0]];
            name = id[(idSeparators[0] + 1)..];
        }
        else
        {
            return new SyntaxErrorItem(at, length, DiagnosticCodes.InvalidPlaceholderName, $"Placeholder {Quote(raw)} has more than one '/'; escape a '/' that belongs to a name as '\\/'.");
        }

        if (!IsValidPart(application) || !IsValidPart(name))
        {
            return new SyntaxErrorItem(at, length, DiagnosticCodes.InvalidPlaceholderName, $"Placeholder {Quote(raw)} has an empty application or name, or whitespace at the edge of one (it is not trimmed).");
        }

        var modifiers = PlaceholderModifiers.None;
        for (var p = 1; p < parts.Count; p++)
        {
            var modifier = parts[p] switch
            {
                "json" => PlaceholderModifiers.Json,
                "base64" => PlaceholderModifiers.Base64,
                "raw" => PlaceholderModifiers.Raw,
                "optional" => PlaceholderModifiers.Optional,
                "literal" => PlaceholderModifiers.Literal,
                _ => PlaceholderModifiers.None,
            };
            if (modifier == PlaceholderModifiers.None)
            {
                return new SyntaxErrorItem(at, length, DiagnosticCodes.UnknownModifier, $"Placeholder {Quote(raw)} has the unknown modifier '{parts[p]}'; known: json, base64, raw, optional, literal.");
            }

            if ((modifiers & modifier) != 0)
            {
                return new SyntaxErrorItem(at, length, DiagnosticCodes.UnknownModifier, $"Placeholder {Quote(raw)} repeats the modifier '{parts[p]}'.");
            }

            modifiers |= modifier;
        }

        if ((modifiers & PlaceholderModifiers.Json) != 0 && (modifiers & (PlaceholderModifiers.Base64 | PlaceholderModifiers.Raw)) != 0)
        {
            return new SyntaxErrorItem(at, length, DiagnosticCodes.UnknownModifier, $"Placeholder {Quote(raw)} combines 'json' with 'base64' or 'raw'; 'json' already writes the value unescaped.");
        }

        var secretId = new SecretId(application!, name);
        if (!secretId.IsWellFormed)
        {
            return new SyntaxErrorItem(at, length, DiagnosticCodes.InvalidPlaceholderName, $"Placeholder at this position has a name that is not well-formed Unicode.");
        }

        return new PlaceholderItem(new Placeholder(at, length, raw, secretId, modifiers, revision));
    }

    /// <summary>
    /// True when the <see cref="Marker"/> at <paramref name="at"/> is another tool's token (<c>#{secretKey}</c>),
    /// which <see cref="Scan"/> leaves alone; any other occurrence is read as a placeholder, an escape or an error.
    /// </summary>
    public static bool IsForeignToken(string text, int at)
    {
        var after = at + Marker.Length;
        return (at == 0 || text[at - 1] != '#')
            && after < text.Length
            && (char.IsLetterOrDigit(text[after]) || text[after] is '_' or '.' or '-');
    }

    private static bool IsValidPart(string? part) =>
        !string.IsNullOrEmpty(part) && !char.IsWhiteSpace(part[0]) && !char.IsWhiteSpace(part[^1]);

    private static SyntaxErrorItem Unterminated(string text, int at, int stop)
    {
        var raw = text[at..stop];
        return new SyntaxErrorItem(at, stop - at, DiagnosticCodes.UnterminatedPlaceholder, $"Placeholder {Quote(raw)} is not closed with '}}' on the same line.");
    }
}
