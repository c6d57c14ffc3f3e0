using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using SecretStore.Diagnostics;

namespace SecretStore.Variables.Export;

/// <summary>
/// Renders variables in an <see cref="ExportFormat"/>, with exact escaping: the consumer of each format reads back
/// exactly the value, or the value is refused with <c>SSB4003</c> naming the variable and the secret (never the
/// value) and nothing is rendered. Lines end with LF; variables come sorted by name.
/// </summary>
public static class ExportWriter
{
    /// <summary>The format names of the command line and the Cake setting, in <see cref="ExportFormat"/> order.</summary>
    public static IReadOnlyList<string> Names { get; } = ["dotenv", "json", "shell", "github-env", "azure-variables"];

    /// <summary>
    /// Throws <c>SSB0001</c> when <paramref name="format"/> cannot be appended to a file: a second JSON document after
    /// the first is no JSON. The line formats can.
    /// </summary>
    public static void ThrowIfNotAppendable(ExportFormat format)
    {
        if (format == ExportFormat.Json)
        {
            throw new SecretStoreException(DiagnosticCodes.InvalidArgument, "A JSON document cannot be appended to a file (two documents are no JSON). Fix: use one of the line formats (dotenv, shell, github-env, azure-variables), or write the file whole.");
        }
    }

    /// <summary>The format named <paramref name="name"/> (case-insensitive); <c>SSB0001</c> listing the names otherwise.</summary>
    public static ExportFormat Parse(string? name)
    {
        for (var i = 0; i < Names.Count; i++)
        {
            if (string.Equals(Names[i], name?.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                return (ExportFormat)i;
            }
        }

        throw new SecretStoreException(DiagnosticCodes.InvalidArgument, $"The export format is not one of {string.Join(", ", Names)}.");
    }

    /// <summary>The name of <paramref name="format"/> on the command line.</summary>
    public static string NameOf(ExportFormat format) => Names[(int)format];

    /// <summary>Renders <paramref name="variables"/>; throws <c>SSB4003</c> for every value the format cannot carry exactly.</summary>
    public static string Render(ExportFormat format, IReadOnlyList<SecretVariable> variables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        var errors = new List<Diagnostic>();
        foreach (var variable in variables)
        {
            if (Problem(format, variable.Value) is { } problem)
            {
                errors.Add(new Diagnostic(
                    DiagnosticCodes.ValueNotExportable,
                    DiagnosticSeverity.Error,
                    $"The value of '{variable.Secret}' (variable '{variable.Name}') holds {problem}, which the {NameOf(format)} format cannot carry exactly. Fix: choose --format json or shell, or store the value Base64-encoded."));
            }
        }

        if (errors.Count > 0)
        {
            throw new SecretStoreException(errors);
        }

        var sorted = variables.OrderBy(v => v.Name, StringComparer.Ordinal).ToList();
        return format switch
        {
            ExportFormat.Dotenv => Lines(sorted, v => $"{v.Name}={DotenvQuote(v.Value)}"),
            ExportFormat.Shell => Lines(sorted, v => $"export {v.Name}={ShellQuote(v.Value)}"),
            ExportFormat.Json => Json(sorted),
            ExportFormat.GitHubEnv => Lines(sorted, v => GitHubEnvBlock(v.Name, v.Value)),
            ExportFormat.AzureVariables => Lines(sorted, v => $"##vso[task.setvariable variable={v.Name};issecret=true]{AzureEscape(v.Value)}"),
            _ => throw new ArgumentOutOfRangeException(nameof(format)),
        };
    }

    /// <summary>
    /// A POSIX shell word that is exactly <paramref name="value"/>: single quotes, in which nothing is special, and
    /// each <c>'</c> as <c>'\''</c> (close, an escaped quote, open again).
    /// </summary>
    public static string ShellQuote(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
    }

    /// <summary>
    /// A dotenv value: between single quotes, where docker compose, the Node and .NET dotenv loaders and a shell take
    /// every character literally (line breaks included); a value with a single quote (and none of
    /// <see cref="DoubleQuoteSpecials"/>, checked before) between double quotes, which all of them then take literally too.
    /// </summary>
    public static string DotenvQuote(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.Contains('\'', StringComparison.Ordinal) ? $"\"{value}\"" : $"'{value}'";
    }

    /// <summary>What some dotenv reader treats specially between double quotes: escapes, interpolation, the quote, line breaks.</summary>
    private static readonly System.Buffers.SearchValues<char> DoubleQuoteSpecials = System.Buffers.SearchValues.Create("\"\\$`\r\n");

    /// <summary>
    /// One <c>GITHUB_ENV</c> block, <c>NAME&lt;&lt;D</c>, the value, <c>D</c>: the runner reads the lines up to the
    /// one that is exactly the delimiter, so the delimiter is random (<c>ghadelimiter_</c> and 128 random bits, as
    /// the actions toolkit writes it) and drawn again in the unlikely case that it is a line of the value.
    /// </summary>
    public static string GitHubEnvBlock(string name, string value)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(value);
        string delimiter;
        do
        {
            delimiter = "ghadelimiter_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        }
        while (value.Contains(delimiter, StringComparison.Ordinal));

        return $"{name}<<{delimiter}\n{value}\n{delimiter}";
    }

    /// <summary>
    /// The value of an Azure logging command as the agent decodes it (its CommandStringConvertor): <c>%</c> first (as
    /// <c>%AZP25</c>), then <c>;</c>, CR, LF and <c>]</c>.
    /// </summary>
    public static string AzureEscape(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new StringBuilder(value).Replace("%", "%AZP25").Replace(";", "%3B").Replace("\r", "%0D").Replace("\n", "%0A").Replace("]", "%5D").ToString();
    }

    /// <summary>Why <paramref name="format"/> cannot carry <paramref name="value"/> exactly, or null when it can.</summary>
    private static string? Problem(ExportFormat format, string value) => format switch
    {
        _ when value.Contains('\0', StringComparison.Ordinal) => "a NUL character",

        // No escape of a single quote is read the same by docker compose, the Node, .NET and Python dotenv readers
        // and a shell (DotenvQuote); a value with one is written between double quotes only when it holds nothing
        // that any of them treats specially there.
        ExportFormat.Dotenv when value.Contains('\'', StringComparison.Ordinal) && value.AsSpan().IndexOfAny(DoubleQuoteSpecials) >= 0 => "a single quote together with a double quote, backslash, '$', backtick or line break",

        // Red team: the Node and npm dotenv readers turn CR LF into LF and drop a lone CR before they parse.
        ExportFormat.Dotenv when value.Contains('\r', StringComparison.Ordinal) => "a carriage return",

        // Red team: npm dotenv (and docker compose) read \' inside single quotes as an escaped quote, so a value
        // ending in a backslash would not end at its closing quote and swallow the next variable.
        ExportFormat.Dotenv when value.EndsWith('\\') => "a backslash at the end",

        // The runner splits the file at line breaks and may not give a carriage return back as it was.
        ExportFormat.GitHubEnv when value.Contains('\r', StringComparison.Ordinal) => "a carriage return",
        _ => null,
    };

    private static string Lines(IEnumerable<SecretVariable> variables, Func<SecretVariable, string> line)
    {
        var text = new StringBuilder();
        foreach (var variable in variables)
        {
            text.Append(line(variable)).Append('\n');
        }

        return text.ToString();
    }

    private static string Json(IEnumerable<SecretVariable> variables)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, NewLine = "\n", Encoder = JavaScriptEncoder.Create(UnicodeRanges.All) }))
        {
            writer.WriteStartObject();
            foreach (var variable in variables)
            {
                writer.WriteString(variable.Name, variable.Value);
            }

            writer.WriteEndObject();
        }

        var text = Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        CryptographicOperations.ZeroMemory(buffer.GetBuffer());
        return text + "\n";
    }
}
