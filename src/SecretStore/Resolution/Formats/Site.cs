using SecretStore.Diagnostics;

namespace SecretStore.Resolution.Formats;

/// <summary>What a format says about a span: substitute with an escape context, skip (a comment), or refuse.</summary>
internal enum SiteKind
{
    /// <summary>Substitute, escaping for <see cref="Site.Context"/>.</summary>
    Substitute,

    /// <summary>A comment: placeholders there are left alone.</summary>
    Comment,

    /// <summary>A place where no value can be written safely (a tag name, a JSON key, outside a string).</summary>
    Forbidden,

    /// <summary>The span starts inside a string or attribute value but runs past its end: the placeholder is not closed there.</summary>
    Overrun,
}

/// <summary>The classification of one placeholder span.</summary>
/// <param name="Kind">Substitute, comment or forbidden.</param>
/// <param name="Context">The escape context when substituting.</param>
/// <param name="ReplaceStart">Start of the text to replace (the opening quote for the <c>json</c> modifier).</param>
/// <param name="ReplaceEnd">End of the text to replace (exclusive).</param>
/// <param name="Reason">Why a forbidden site is forbidden.</param>
/// <param name="Code">The code for a forbidden site, when not <c>SSB1005</c>.</param>
/// <param name="Yaml">For a YAML scalar: its style and the text around the placeholder.</param>
internal readonly record struct Site(SiteKind Kind, EscapeContext Context, int ReplaceStart, int ReplaceEnd, string? Reason = null, DiagnosticCode? Code = null, YamlFrame? Yaml = null)
{
    public static Site Forbid(string reason, DiagnosticCode? code = null) => new(SiteKind.Forbidden, EscapeContext.PlainText, 0, 0, reason, code);

    public static Site InComment() => new(SiteKind.Comment, EscapeContext.PlainText, 0, 0);

    public static Site Overrun(string where) => new(SiteKind.Overrun, EscapeContext.PlainText, 0, 0, where);
}

/// <summary>A format's view of a file: where a placeholder span may be substituted and how.</summary>
internal interface IFormatLayout
{
    /// <summary>Classifies the span <c>[start, end)</c>; <paramref name="wholeToken"/> asks for the enclosing token (json modifier).</summary>
    Site Classify(int start, int end, bool wholeToken);
}
