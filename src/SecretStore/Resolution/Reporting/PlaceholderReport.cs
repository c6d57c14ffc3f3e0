using SecretStore.Resolution.Formats;
using SecretStore.Resolution.Syntax;

namespace SecretStore.Resolution.Reporting;

/// <summary>One placeholder or mapping in the report: where, which secret, how it was written. Never the value.</summary>
public sealed class PlaceholderReport
{
    /// <summary>1-based line.</summary>
    public required int Line { get; init; }

    /// <summary>1-based column (UTF-16 code units).</summary>
    public required int Column { get; init; }

    /// <summary>The placeholder text (or <c>mapping:Path</c>); names only.</summary>
    public required string Placeholder { get; init; }

    /// <summary>Placeholder or mapping.</summary>
    public required PlaceholderSource Source { get; init; }

    /// <summary>The application.</summary>
    public required string Application { get; init; }

    /// <summary>The secret name.</summary>
    public required string Name { get; init; }

    /// <summary>The escape context.</summary>
    public required EscapeContext Context { get; init; }

    /// <summary>The modifiers.</summary>
    public required PlaceholderModifiers Modifiers { get; init; }

    /// <summary>What happened.</summary>
    public required PlaceholderOutcome Outcome { get; init; }

    /// <summary>The record revision of the secret used, when resolved.</summary>
    public long? Revision { get; init; }

    /// <summary>The master key id of the record used, when resolved.</summary>
    public string? KeyId { get; init; }
}
