using SecretStore.Secrets;

namespace SecretStore.Variables;

/// <summary>One environment variable with its secret's clear value. <see cref="ToString"/> never shows the value.</summary>
public sealed class SecretVariable(string name, SecretId secret, string value)
{
    /// <summary>The variable name.</summary>
    public string Name { get; } = name;

    /// <summary>The secret the value comes from.</summary>
    public SecretId Secret { get; } = secret;

    /// <summary>The clear value.</summary>
    public string Value { get; } = value;

    /// <summary>The name and the secret; the value is redacted.</summary>
    public override string ToString() => $"{Name} <- {Secret} (value redacted)";
}
