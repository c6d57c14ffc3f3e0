using SecretStore.Resolution.Formats;
using SecretStore.Resolution.Text;

namespace SecretStore.Resolution.Reporting;

/// <summary>One file in the report.</summary>
public sealed class FileReport
{
    /// <summary>The path as listed.</summary>
    public required string Path { get; init; }

    /// <summary>The format it was handled as (null when it was not read or had no marker at all).</summary>
    public FileFormat? Format { get; init; }

    /// <summary>Its encoding (null when it was not decoded).</summary>
    public TextEncodingKind? Encoding { get; init; }

    /// <summary>True when resolving changes its content.</summary>
    public bool Changed { get; init; }

    /// <summary>True when it was rewritten.</summary>
    public bool Written { get; init; }

    /// <summary>Its placeholders and mappings, in file order.</summary>
    public IReadOnlyList<PlaceholderReport> Placeholders { get; init; } = [];
}
