using SecretStore.Resolution.Formats;
using SecretStore.Resolution.Reporting;
using SecretStore.Resolution.Syntax;
using SecretStore.Secrets;

namespace SecretStore.Resolution;

/// <summary>One planned replacement in one file: a placeholder or a mapping target. Holds no value itself.</summary>
internal sealed class Substitution
{
    public required SecretId Id { get; init; }

    /// <summary>The revision pinned with <c>@N</c>, or null for the current one.</summary>
    public long? Revision { get; init; }

    /// <summary>What the store is asked for.</summary>
    public SecretReference Reference => new(Id, Revision);

    public required PlaceholderModifiers Modifiers { get; init; }

    public required PlaceholderSource Source { get; init; }

    /// <summary>The placeholder text or <c>mapping 'Path'</c>: names only.</summary>
    public required string Text { get; init; }

    public required int Line { get; init; }

    public required int Column { get; init; }

    public required Site Site { get; init; }

    public bool IsOptional => (Modifiers & PlaceholderModifiers.Optional) != 0;

    public PlaceholderOutcome Outcome { get; set; } = PlaceholderOutcome.Listed;

    public SecretMetadata? Metadata { get; set; }

    public PlaceholderReport ToReport() => new()
    {
        Line = Line,
        Column = Column,
        Placeholder = Text,
        Source = Source,
        Application = Id.ApplicationName,
        Name = Id.Name,
        Context = Site.Context,
        Modifiers = Modifiers,
        Outcome = Outcome,
        Revision = Metadata?.Revision,
        KeyId = Metadata?.MasterKeyId,
    };
}
