namespace SecretStore.Aws.DynamoDb;

/// <summary>
/// Attribute names of the secrets table. The key and the four v1 names are the reference design's and must
/// never change: rows written by the reference tool are read unchanged.
/// </summary>
public static class SecretTableAttributes
{
    /// <summary>Partition key (S): the application name.</summary>
    public const string ApplicationName = "ApplicationName";

    /// <summary>Sort key (S): the secret name.</summary>
    public const string SecretName = "SecretName";

    /// <summary>(S) The master key id; on v1 and v2 rows.</summary>
    public const string MasterKeyId = "MasterKeyId";

    /// <summary>(B) v1: the wrapped document key.</summary>
    public const string ProtectedDocumentKey = "ProtectedDocumentKey";

    /// <summary>(B) v1: the AES-CBC IV.</summary>
    public const string InitialisationVector = "InitialisationVector";

    /// <summary>(B) v1: the AES-CBC ciphertext.</summary>
    public const string ProtectedSecretValue = "ProtectedSecretValue";

    /// <summary>(B) v2: the authenticated envelope.</summary>
    public const string Envelope = "Envelope";

    /// <summary>(N) v2: the format number (2).</summary>
    public const string Format = "Format";

    /// <summary>(N) The revision; absent on reference rows, which read as revision 1.</summary>
    public const string Revision = "Revision";
}
