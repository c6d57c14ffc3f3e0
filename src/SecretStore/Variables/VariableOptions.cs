using SecretStore.Running;

namespace SecretStore.Variables;

/// <summary>
/// Which secrets become which environment variables, for <c>run</c>, <c>export</c> and the Cake aliases. With no
/// <see cref="Mappings"/> and no <see cref="Applications"/>, the settings file's <c>variables</c> are used.
/// </summary>
public sealed record VariableOptions
{
    /// <summary>The store (settings file, environment, explicit settings).</summary>
    public required StoreSelection Store { get; init; }

    /// <summary>Explicit variables (<c>--map NAME=App/Secret</c>).</summary>
    public IReadOnlyList<VariableMapping> Mappings { get; init; } = [];

    /// <summary>Applications whose every secret becomes a variable, named by <see cref="VariableNames.FromSecretName"/>.</summary>
    public IReadOnlyList<string> Applications { get; init; } = [];

    /// <summary>Put in front of the names made for <see cref="Applications"/> (not of explicit mappings).</summary>
    public string? Prefix { get; init; }

    /// <summary>True (the default): a missing secret is an error (<c>SSB2001</c>); false: a warning (<c>SSB4007</c>) and no variable.</summary>
    public bool Strict { get; init; } = true;
}
