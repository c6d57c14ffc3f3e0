namespace SecretStore.Diagnostics;

/// <summary>How serious a diagnostic is.</summary>
public enum DiagnosticSeverity
{
    /// <summary>Information, such as a summary line.</summary>
    Info,

    /// <summary>Something the user should know about; the operation still succeeds.</summary>
    Warning,

    /// <summary>The operation fails and nothing is written.</summary>
    Error,
}
