namespace SecretStore.Runtime;

/// <summary>What a runtime load does when one secret is missing or cannot be read (undecryptable, refused key).</summary>
public enum SecretFailureAction
{
    /// <summary>The load fails with the secret's coded error: the same fail-closed default as publish.</summary>
    Fail = 0,

    /// <summary>The configuration keys that need the secret are left unset, and the load reports a coded warning.</summary>
    Skip = 1,
}
