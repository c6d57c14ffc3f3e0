using SecretStore.Secrets;

namespace SecretStore.Cli.Commands;

/// <summary>
/// The key column of <c>set</c>, <c>list</c>, <c>rollback</c> and <c>rewrap</c> rows: the record's master key, or for a
/// record of several recipients all of them, primary first, comma-separated (key ids never hold a comma), so that the
/// rows keep their columns and a script splitting on tabs still gets one field.
/// </summary>
internal static class KeyColumn
{
    public static string Of(SecretMetadata metadata) => string.Join(',', metadata.Recipients);
}
