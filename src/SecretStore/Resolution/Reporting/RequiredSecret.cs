namespace SecretStore.Resolution.Reporting;

/// <summary>A secret the listed files need (list mode answers with these); names only.</summary>
/// <param name="Application">The application.</param>
/// <param name="Name">The secret name.</param>
/// <param name="Optional">True when every reference to it is optional.</param>
/// <param name="References">How many placeholders and mappings name it.</param>
public sealed record RequiredSecret(string Application, string Name, bool Optional, int References)
{
    /// <summary>The revision the placeholders pin (<c>Name@N</c>), or null for the current one.</summary>
    public long? Revision { get; init; }
}
