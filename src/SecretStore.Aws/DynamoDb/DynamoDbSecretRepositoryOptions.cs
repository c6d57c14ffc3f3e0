using SecretStore.Repositories.History;

namespace SecretStore.Aws.DynamoDb;

/// <summary>Options of a <see cref="DynamoDbSecretRepository"/>.</summary>
public sealed record DynamoDbSecretRepositoryOptions
{
    /// <summary>
    /// The table that keeps the earlier revisions; null: <c>&lt;table&gt;.history</c>. A separate table so that the
    /// secrets table keeps the reference layout and its application queries never read history items.
    /// </summary>
    public string? HistoryTableName { get; init; }

    /// <summary>Retention, writer and clock of the history.</summary>
    public HistoryOptions History { get; init; } = new();
}
