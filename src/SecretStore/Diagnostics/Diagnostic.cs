namespace SecretStore.Diagnostics;

/// <summary>
/// One reported problem, with its location. Messages name files, lines, placeholders, applications, secret
/// names and key ids — never a secret value or key material.
/// </summary>
/// <param name="Code">The catalog code.</param>
/// <param name="Severity">Error, warning or information.</param>
/// <param name="Message">A value-free message.</param>
/// <param name="FilePath">The file concerned, if any.</param>
/// <param name="Line">1-based line, or 0 when unknown.</param>
/// <param name="Column">1-based column, or 0 when unknown.</param>
public sealed record Diagnostic(
    DiagnosticCode Code,
    DiagnosticSeverity Severity,
    string Message,
    string? FilePath = null,
    int Line = 0,
    int Column = 0)
{
    /// <summary>The marker of a message's own fix; a message without it gets its code's (<see cref="Text"/>).</summary>
    public const string FixMarker = "Fix: ";

    /// <summary>
    /// The message as every face shows it: <see cref="Message"/>, ending with the fix. An error or warning whose
    /// message says no fix of its own (no <see cref="FixMarker"/>) gets its code's <see cref="DiagnosticCode.Fix"/>
    /// appended, so the reader of a log or an IDE error list learns what to do without opening docs/diagnostics.md.
    /// </summary>
    public string Text =>
        Severity == DiagnosticSeverity.Info || Code.Fix is null || Message.Contains(FixMarker, StringComparison.Ordinal)
            ? Message
            : $"{Message}{(Message.EndsWith('.') || Message.EndsWith('?') || Message.EndsWith('!') ? string.Empty : ".")} {FixMarker}{Code.Fix}";

    /// <summary>
    /// Formats the diagnostic the way MSBuild and CI systems parse it:
    /// <c>file(line,col): error SSB1001: message Fix: ...</c> (<see cref="Text"/>), escaped as one log line (<see cref="LogText.Escape"/>): a
    /// file path, name or key id from outside cannot start a line or a CI workflow command.
    /// </summary>
    public string ToMSBuildFormat()
    {
        var severity = Severity switch
        {
            DiagnosticSeverity.Error => "error",
            DiagnosticSeverity.Warning => "warning",
            _ => "info",
        };
        var origin = FilePath is null
            ? "secretstore"
            : Line > 0 ? $"{FilePath}({Line},{Math.Max(Column, 1)})" : FilePath;
        return LogText.Escape($"{origin}: {severity} {Code.Id}: {Text}");
    }

    /// <inheritdoc />
    public override string ToString() => ToMSBuildFormat();
}
