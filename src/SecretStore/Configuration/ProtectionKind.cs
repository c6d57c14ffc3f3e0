namespace SecretStore.Configuration;

/// <summary>Which master key wraps each record's data key. Chosen independently of <see cref="StorageKind"/>.</summary>
public enum ProtectionKind
{
    /// <summary>An RSA keyring folder, offline (<c>rsa:&lt;keyring folder&gt;</c>).</summary>
    Rsa,

    /// <summary>AWS KMS (<c>kms</c>); writes need a key id, key ARN or alias.</summary>
    Kms,
}
