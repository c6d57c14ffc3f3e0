namespace SecretStore.Resolution.Formats;

/// <summary>Any other file: every span is plain text.</summary>
internal sealed class PlainTextLayout : IFormatLayout
{
    /// <summary>The one instance; plain text has no state.</summary>
    public static PlainTextLayout Instance { get; } = new();

    /// <inheritdoc />
    public Site Classify(int start, int end, bool wholeToken) => new(SiteKind.Substitute, EscapeContext.PlainText, start, end);
}
