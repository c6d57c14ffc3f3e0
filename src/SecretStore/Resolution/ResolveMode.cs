namespace SecretStore.Resolution;

/// <summary>What a resolver run does.</summary>
public enum ResolveMode
{
    /// <summary>Resolve every placeholder and write the changed files.</summary>
    Resolve,

    /// <summary>Resolve everything (decrypting, escaping, checking shapes) and write nothing.</summary>
    Verify,

    /// <summary>Report the secrets the files require, names only; nothing is fetched or decrypted.</summary>
    List,
}
