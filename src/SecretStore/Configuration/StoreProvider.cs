namespace SecretStore.Configuration;

/// <summary>The kind of secret store.</summary>
public enum StoreProvider
{
    /// <summary>A JSON file of protected records with an RSA keyring (the embedded default).</summary>
    File,

    /// <summary>A DynamoDB table with data keys from AWS KMS.</summary>
    Aws,
}
