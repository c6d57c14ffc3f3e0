using SecretStore.Secrets;

namespace SecretStore.Runtime;

/// <summary>What a <see cref="RuntimeSecretLoader"/> loads, and what it does when a secret fails.</summary>
public sealed class RuntimeLoadOptions
{
    /// <summary>The application of placeholders that name none (the settings' application, else the entry assembly's name).</summary>
    public string? DefaultApplication { get; init; }

    /// <summary>
    /// Section mode: the application whose secrets are loaded as configuration keys. Null: placeholder mode only
    /// (<see cref="RuntimeSecretLoader.ResolvePlaceholdersAsync"/>).
    /// </summary>
    public string? SectionApplication { get; init; }

    /// <summary>Section mode: only names that start with this prefix (ordinal) are loaded. Null or empty: every name.</summary>
    public string? NamePrefix { get; init; }

    /// <summary>
    /// Section mode: the configuration key of a secret; null leaves the secret out. Default
    /// <see cref="SectionKeys.Default"/> (<c>ConnectionStrings.Default</c> becomes <c>ConnectionStrings:Default</c>).
    /// </summary>
    public Func<SecretId, string?>? KeyForSecret { get; init; }

    /// <summary>
    /// Per-secret policy for a secret that is missing or cannot be read; null fails the load for every secret
    /// (<see cref="SecretFailureAction.Fail"/>). An <c>|optional</c> placeholder is skipped when its secret is missing,
    /// whatever the policy says. A store-wide failure (backend down, access denied) always fails the load.
    /// </summary>
    public Func<SecretId, SecretFailureAction>? FailurePolicy { get; init; }

    /// <summary>The most secrets read one by one when a batch read fails and the policy may skip some. Default 8.</summary>
    public int MaxConcurrency { get; init; } = 8;
}
