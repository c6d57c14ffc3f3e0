using SecretStore.Diagnostics;
using SecretStore.Resolution;

namespace SecretStore.Variables;

/// <summary>The outcome of <see cref="Running.SecretStoreRunner.LoadVariablesAsync"/>: the variables, sorted by name, and the warnings.</summary>
public sealed class SecretVariableSet
{
    internal SecretVariableSet(IReadOnlyList<SecretVariable> variables, IReadOnlyList<Diagnostic> warnings, string? privateKeyVariable, string? environmentName, IReadOnlyList<string>? missing = null)
    {
        Variables = variables;
        Missing = missing ?? [];
        Warnings = warnings;
        PrivateKeyVariable = privateKeyVariable;
        EnvironmentName = environmentName;
    }

    /// <summary>The variables, sorted by name (ordinal).</summary>
    public IReadOnlyList<SecretVariable> Variables { get; }

    /// <summary>
    /// The variables whose secret was not found (only when not strict, warning <c>SSB4007</c>): a child does not get
    /// them at all, not even a value of that name inherited from the caller (<see cref="ChildEnvironment"/>), since a
    /// stale or planted value would then pass for the secret.
    /// </summary>
    public IReadOnlyList<string> Missing { get; }

    /// <summary>Value-free warnings (<c>SSB4007</c> for a missing secret when not strict).</summary>
    public IReadOnlyList<Diagnostic> Warnings { get; }

    /// <summary>
    /// The name of the variable that held the RSA private key of this run, if one did: a child process never gets it
    /// (<see cref="ChildEnvironment"/>), since it opens every record of the store.
    /// </summary>
    public string? PrivateKeyVariable { get; }

    /// <summary>The settings file's environment used, if any.</summary>
    public string? EnvironmentName { get; }

    /// <summary>Every form of every value (the value, each line, Base64), for a CI host's masker.</summary>
    public ResolvedValueForms Forms() => ResolvedValueForms.OfValues(Variables.Select(v => (v.Secret, v.Value)));

    /// <summary>Shows counts only.</summary>
    public override string ToString() => $"{Variables.Count} variable(s) (values redacted)";
}
