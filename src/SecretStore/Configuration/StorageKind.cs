namespace SecretStore.Configuration;

/// <summary>
/// Where the protected records live. Chosen independently of <see cref="ProtectionKind"/>: any storage works with
/// any protection, because a repository only keeps the protected bytes and never opens them.
/// </summary>
public enum StorageKind
{
    /// <summary>A JSON store file, usually committed (<c>file:&lt;path&gt;</c>); the embedded default.</summary>
    File,

    /// <summary>A DynamoDB table keyed by ApplicationName + SecretName (<c>dynamodb:&lt;table&gt;</c>).</summary>
    DynamoDb,

    /// <summary>
    /// A PostgreSQL database (<c>postgres:&lt;name of an environment variable holding the connection string&gt;</c>, or an
    /// inline connection string without a password), with the schema of docs/postgres.md.
    /// </summary>
    PostgreSql,
}
