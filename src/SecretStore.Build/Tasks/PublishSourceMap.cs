using System.Text;
using Microsoft.Build.Framework;
using SecretStore.Diagnostics;

namespace SecretStore.Build.Tasks;

/// <summary>
/// Issue 14 item 2: a diagnostic in a publish-folder copy points at the project file it came from, so a click in the
/// IDE opens the file to fix. The publish copy is named in the message instead.
/// <list type="bullet">
/// <item>A copy with the same text as its source keeps its line and column (appsettings.json and most files).</item>
/// <item>Otherwise (web.config after its XDT transforms) the placeholder at the reported position is looked up in
/// the transforms (<c>web.*.config</c> beside the source) and then in the source itself; it is mapped only when
/// the match is unambiguous.</item>
/// <item>Anything else keeps the publish copy's location: a wrong pointer is worse than an exact one elsewhere.</item>
/// </list>
/// Only a copy the run left untouched is read (a failed run writes nothing; the files written are passed as
/// rest, <c>written</c>), so no resolved value is ever read here and the reported positions are still those of its text. A warning
/// in a file that was written keeps the publish copy's location.
/// </summary>
internal sealed class PublishSourceMap
{
    private readonly string _publishDirectory;
    private readonly string? _projectDirectory;
    private readonly Dictionary<string, string> _sources;

    // Each file is read once, however many diagnostics it has (a source and its transforms serve them all).
    private readonly Dictionary<string, string?> _texts = new(StringComparer.Ordinal);

    private PublishSourceMap(string publishDirectory, string? projectDirectory, Dictionary<string, string> sources)
    {
        _publishDirectory = publishDirectory;
        _projectDirectory = projectDirectory;
        _sources = sources;
    }

    /// <summary>
    /// From the items the publish copied (<c>ResolvedFileToPublish</c>: identity = source, <c>RelativePath</c> = path
    /// in the publish folder); later items win, so the targets can put the project's App.config over its obj/ copy.
    /// A publish-folder file with no item falls back to the same relative path in the project folder.
    /// </summary>
    public static PublishSourceMap Create(string publishDirectory, string? projectDirectory, IEnumerable<ITaskItem> items)
    {
        var sources = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            var relative = item.GetMetadata("RelativePath");
            if (!string.IsNullOrEmpty(relative))
            {
                sources[Normalize(relative)] = Path.GetFullPath(item.ItemSpec, projectDirectory ?? publishDirectory);
            }
        }

        return new PublishSourceMap(Path.GetFullPath(publishDirectory), projectDirectory, sources);
    }

    /// <summary>The diagnostic at its source location, or unchanged when there is none to trust.</summary>
    public Diagnostic ToSource(Diagnostic diagnostic, IReadOnlyCollection<string> written)
    {
        if (diagnostic.FilePath is not { } published || diagnostic.Line <= 0 || written.Contains(published))
        {
            return diagnostic;
        }

        var relative = Path.GetRelativePath(_publishDirectory, published);
        if (relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative))
        {
            return diagnostic;
        }

        var source = Source(Normalize(relative));
        if (source is null || !File.Exists(source) || !File.Exists(published))
        {
            return diagnostic;
        }

        var publishedText = Read(published);
        var sourceText = Read(source);
        if (publishedText is null || sourceText is null)
        {
            return diagnostic;
        }

        var location = string.Equals(publishedText, sourceText, StringComparison.Ordinal)
            ? (source, diagnostic.Line, diagnostic.Column)
            : FindPlaceholder(publishedText, diagnostic.Line, diagnostic.Column, source);
        if (location is not var (file, line, column) || file is null)
        {
            return diagnostic;
        }

        var note = $" (publish copy: {published}({diagnostic.Line},{diagnostic.Column}))";
        return diagnostic with { FilePath = file, Line = line, Column = column, Message = diagnostic.Message + note };
    }

    private string? Source(string relative)
    {
        if (_sources.TryGetValue(relative, out var source))
        {
            return source;
        }

        return _projectDirectory is { Length: > 0 } project ? Path.Combine(project, relative) : null;
    }

    /// <summary>The placeholder at (line, column) of the published text, found once in a transform or in the source.</summary>
    private (string? File, int Line, int Column)? FindPlaceholder(string publishedText, int line, int column, string source)
    {
        var offset = Offset(publishedText, line, column);
        if (offset < 0 || string.CompareOrdinal(publishedText, offset, "#{", 0, 2) != 0)
        {
            return null;
        }

        var end = publishedText.IndexOf('}', offset);
        if (end < 0)
        {
            return null;
        }

        var placeholder = publishedText[offset..(end + 1)];
        var occurrence = Occurrences(publishedText[..offset], placeholder).Count;
        var publishedCount = Occurrences(publishedText, placeholder).Count;

        // Transforms first: a placeholder they insert is not in the base file, and one they replace is theirs.
        foreach (var candidate in Transforms(source).Append(source))
        {
            if (Read(candidate) is not { } text)
            {
                continue;
            }

            var found = Occurrences(text, placeholder);
            if (found.Count == 1 || (found.Count == publishedCount && found.Count > occurrence))
            {
                var at = found.Count == 1 ? found[0] : found[occurrence];
                var (l, c) = LineColumn(text, at);
                return (candidate, l, c);
            }

            if (found.Count > 1)
            {
                return null;
            }
        }

        return null;
    }

    /// <summary>XDT transforms beside a <c>.config</c> source: <c>web.Release.config</c>, <c>web.Production.config</c>.</summary>
    private static IEnumerable<string> Transforms(string source)
    {
        if (!source.EndsWith(".config", StringComparison.OrdinalIgnoreCase) || Path.GetDirectoryName(source) is not { } folder || !Directory.Exists(folder))
        {
            return [];
        }

        var stem = Path.GetFileNameWithoutExtension(source);
        return Directory.EnumerateFiles(folder, stem + ".*.config").Order(StringComparer.Ordinal).ToList();
    }

    private static List<int> Occurrences(string text, string value)
    {
        var found = new List<int>();
        for (var at = text.IndexOf(value, StringComparison.Ordinal); at >= 0; at = text.IndexOf(value, at + value.Length, StringComparison.Ordinal))
        {
            found.Add(at);
        }

        return found;
    }

    /// <summary>The offset of 1-based (line, column in UTF-16 code units), as the resolver counts them; -1 if outside.</summary>
    private static int Offset(string text, int line, int column)
    {
        var start = 0;
        for (var l = 1; l < line; l++)
        {
            var next = text.IndexOf('\n', start);
            if (next < 0)
            {
                return -1;
            }

            start = next + 1;
        }

        var offset = start + column - 1;
        return offset >= 0 && offset < text.Length ? offset : -1;
    }

    private static (int Line, int Column) LineColumn(string text, int offset)
    {
        var line = 1;
        var lineStart = 0;
        for (var i = 0; i < offset; i++)
        {
            if (text[i] == '\n')
            {
                line++;
                lineStart = i + 1;
            }
        }

        return (line, offset - lineStart + 1);
    }

    private string? Read(string path)
    {
        if (!_texts.TryGetValue(path, out var text))
        {
            text = ReadFile(path);
            _texts[path] = text;
        }

        return text;
    }

    private static string? ReadFile(string path)
    {
        try
        {
            // Config files are small; BOM detection gives UTF-16 files the same code units the resolver counts.
            using var reader = new StreamReader(path, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: true);
            return reader.ReadToEnd();
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string Normalize(string relative) => relative.Replace('\\', '/');
}
