using Microsoft.Build.Utilities;
using SecretStore.Diagnostics;
using SecretStore.Diagnostics.Ci;

namespace SecretStore.Build.Tasks;

/// <summary>Turns engine diagnostics into MSBuild errors, warnings and messages with code, file, line and column.</summary>
internal static class TaskLoggingExtensions
{
    // No subcategory: the line reads "file(line,col): error SSB2001: message", as in docs/diagnostics.md and the CLI.
    private const string? Subcategory = null;
    private const string HelpBase = "https://github.com/secretstore-build/secretstore-build/blob/main/docs/diagnostics.md#";

    /// <summary>Logs each diagnostic; those without a file are attributed to <paramref name="projectFile"/>.</summary>
    public static void LogDiagnostics(this TaskLoggingHelper log, IEnumerable<Diagnostic> diagnostics, string? projectFile)
    {
        foreach (var diagnostic in diagnostics)
        {
            log.LogDiagnostic(diagnostic, projectFile);
        }
    }

    /// <summary>Logs one diagnostic; without a file of its own it is attributed to <paramref name="projectFile"/>.</summary>
    public static void LogDiagnostic(this TaskLoggingHelper log, Diagnostic diagnostic, string? projectFile)
    {
        var code = diagnostic.Code.Id;
        var helpLink = HelpBase + code.ToLowerInvariant();
        // The logger composes "file(line,col): error CODE: message" itself, so both parts are escaped here: a path
        // or name from the store must not start a line or a CI workflow command (LogText.Escape).
        var file = LogText.Escape(diagnostic.FilePath ?? projectFile);
        var message = LogText.Escape(diagnostic.Text);
        var line = Math.Max(diagnostic.Line, 0);
        var column = line > 0 ? Math.Max(diagnostic.Column, 1) : 0;

        // No message arguments: MSBuild formats a message only when arguments are given, and a message may
        // contain braces (placeholders are written #{secret:Name}).
        switch (diagnostic.Severity)
        {
            case DiagnosticSeverity.Error:
                log.LogError(Subcategory, code, helpKeyword: null, helpLink, file, line, column, 0, 0, message);
                break;
            case DiagnosticSeverity.Warning:
                log.LogWarning(Subcategory, code, helpKeyword: null, helpLink, file, line, column, 0, 0, message);
                break;
            default:
                log.LogMessage(Subcategory, code, helpKeyword: null, file, line, column, 0, 0, Microsoft.Build.Framework.MessageImportance.High, message);
                break;
        }

        // In a CI run the error also goes out as the system's own annotation (issue 14 item 3): a high-importance
        // message is printed at every verbosity above quiet, and both runners read a command after the logger's
        // indentation (GitHub trims the line, Azure looks for "##vso[" anywhere). The build's environment decides,
        // read here rather than passed as a property so that a project cannot turn it on for another system.
        var ci = CiEnvironment.Detect(Environment.GetEnvironmentVariable);
        if (CiAnnotation.Format(ci, diagnostic with { FilePath = diagnostic.FilePath ?? projectFile }) is { } annotation)
        {
            log.LogMessage(Microsoft.Build.Framework.MessageImportance.High, annotation);
        }
    }
}
