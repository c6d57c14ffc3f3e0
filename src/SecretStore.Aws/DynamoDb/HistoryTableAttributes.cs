namespace SecretStore.Aws.DynamoDb;

/// <summary>
/// Attribute names of the history table (docs/format.md, "History"). Its items carry the record's attributes under the
/// secrets table's names (<see cref="SecretTableAttributes"/>), plus these.
/// </summary>
public static class HistoryTableAttributes
{
    /// <summary>
    /// Sort key (S): the secret name, <c>#</c>, and the revision in 19 zero-padded digits, so that one secret's revisions
    /// sort together and in order. The partition key is <see cref="SecretTableAttributes.ApplicationName"/>, as in the
    /// secrets table, so one IAM condition on <c>dynamodb:LeadingKeys</c> scopes a role on both tables.
    /// </summary>
    public const string SecretRevision = "SecretRevision";

    /// <summary>(S) When the revision was written: UTC, whole seconds, <c>yyyy-MM-ddTHH:mm:ssZ</c>.</summary>
    public const string WrittenAt = "WrittenAt";

    /// <summary>(S) Who wrote it, as the writer said (not authenticated).</summary>
    public const string Writer = "Writer";

    /// <summary>(BOOL) True on the tombstone a delete leaves; such an item carries no record attributes.</summary>
    public const string Deleted = "Deleted";

    /// <summary>
    /// The partition of the history table's one store item (docs/format.md, "Store id"): not an application name a
    /// secret can have in this table's IAM scheme, and outside every application's <c>LeadingKeys</c>, so a reader role
    /// needs one more key to read it.
    /// </summary>
    public const string StorePartition = "secretstore:store";

    /// <summary>The sort key of the store item.</summary>
    public const string StoreSortKey = "store-id";

    /// <summary>(S) The store id, on the store item.</summary>
    public const string StoreId = "StoreId";

    /// <summary>The history table's name for a secrets table: <c>&lt;table&gt;.history</c>.</summary>
    public static string DefaultTableName(string secretsTable) => secretsTable + ".history";

    /// <summary>The sort key of one revision.</summary>
    public static string SortKey(string secretName, long revision) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{secretName}#{revision:D19}");
}
