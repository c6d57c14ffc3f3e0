using System.Globalization;
using System.Text;

namespace SecretStore.Diagnostics.Ci;

/// <summary>
/// Turns a diagnostic into the CI system's own error/warning command, so the run's summary page lists it and links
/// the file and line: GitHub's <c>::error file=F,line=L,col=C,title=SSB1001::message</c> and Azure Pipelines'
/// <c>##vso[task.logissue type=error;sourcepath=F;linenumber=L;columnnumber=C;code=SSB1001]message</c>.
/// </summary>
/// <remarks>
/// Text from outside (the file path, names in the message) is first made one inert log line by
/// <see cref="LogText.Escape"/> (no CR/LF or control character is left, no nested command prefix), then escaped
/// the way the runner decodes the command: GitHub's runner (<c>ActionCommand</c>) unescapes <c>%25</c>,
/// <c>%0D</c>, <c>%0A</c> in the data and also <c>%3A</c>, <c>%2C</c> in property values, whose <c>:</c> and
/// <c>,</c> would end the value; the Azure agent (<c>CommandStringConvertor</c>) unescapes <c>%3B</c>, <c>%0D</c>,
/// <c>%0A</c>, <c>%5D</c> and, with percent decoding on, <c>%AZP25</c>. Both runners make a path inside the
/// workspace relative themselves, so the path is given as it is. Informational diagnostics get no annotation.
/// </remarks>
public static class CiAnnotation
{
    /// <summary>The annotation line for <paramref name="diagnostic"/>, or null outside CI or for an information.</summary>
    public static string? Format(CiSystem system, Diagnostic diagnostic)
    {
        ArgumentNullException.ThrowIfNull(diagnostic);
        var type = diagnostic.Severity switch
        {
            DiagnosticSeverity.Error => "error",
            DiagnosticSeverity.Warning => "warning",
            _ => null,
        };
        if (type is null)
        {
            return null;
        }

        return system switch
        {
            CiSystem.GitHubActions => GitHub(type, diagnostic),
            CiSystem.AzurePipelines => Azure(type, diagnostic),
            _ => null,
        };
    }

    private static string GitHub(string type, Diagnostic diagnostic)
    {
        var properties = new List<string>(4);
        if (diagnostic.FilePath is { Length: > 0 } file)
        {
            properties.Add("file=" + GitHubProperty(file));
            if (diagnostic.Line > 0)
            {
                properties.Add("line=" + Number(diagnostic.Line));
                properties.Add("col=" + Number(Math.Max(diagnostic.Column, 1)));
            }
        }

        properties.Add("title=" + GitHubProperty(diagnostic.Code.Id));
        return $"::{type} {string.Join(',', properties)}::{GitHubData(diagnostic.Text)}";
    }

    private static string Azure(string type, Diagnostic diagnostic)
    {
        var sb = new StringBuilder("##vso[task.logissue type=").Append(type);
        if (diagnostic.FilePath is { Length: > 0 } file)
        {
            sb.Append(";sourcepath=").Append(AzureProperty(file));
            if (diagnostic.Line > 0)
            {
                sb.Append(";linenumber=").Append(Number(diagnostic.Line));
                sb.Append(";columnnumber=").Append(Number(Math.Max(diagnostic.Column, 1)));
            }
        }

        sb.Append(";code=").Append(AzureProperty(diagnostic.Code.Id)).Append(']');
        return sb.Append(AzureData(diagnostic.Text)).ToString();
    }

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    // actions/toolkit escapeData / escapeProperty, less CR and LF, which LogText.Escape has already shown as \x0D
    // and \x0A: '%' first, so an escape sequence in the text stays literal.
    private static string GitHubData(string text) =>
        new StringBuilder(LogText.Escape(text)).Replace("%", "%25").ToString();

    private static string GitHubProperty(string text) =>
        new StringBuilder(GitHubData(text)).Replace(":", "%3A").Replace(",", "%2C").ToString();

    // The agent's CommandStringConvertor.Escape with percent escaping, less CR and LF (gone, see above): '%' first
    // (as %AZP25), then ';' (ends a property) and ']' (ends the properties).
    private static string AzureProperty(string text) =>
        new StringBuilder(LogText.Escape(text)).Replace("%", "%AZP25").Replace(";", "%3B").Replace("]", "%5D").ToString();

    // The message follows the ']' that ends the properties, so ';' and ']' are literal there; '%' is escaped so
    // that a literal %3B or %5D in the text is not decoded.
    private static string AzureData(string text) =>
        new StringBuilder(LogText.Escape(text)).Replace("%", "%AZP25").ToString();
}
