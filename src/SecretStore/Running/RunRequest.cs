using SecretStore.Diagnostics;
using SecretStore.Diagnostics.Ci;
using SecretStore.Variables;

namespace SecretStore.Running;

/// <summary>
/// A command to run with secrets in its environment (<see cref="SecretStoreRunner.RunWithSecretsAsync"/>): the CLI's
/// <c>run</c> and Cake's <c>RunWithSecrets</c> translate their inputs into this and nothing more.
/// </summary>
public sealed record RunRequest
{
    /// <summary>Which secrets become which variables.</summary>
    public required VariableOptions Variables { get; init; }

    /// <summary>The program: a bare name (looked up on the child's <c>PATH</c>) or a path.</summary>
    public required string Program { get; init; }

    /// <summary>Its arguments, passed as they are (no shell).</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <summary>The child's working directory.</summary>
    public required string WorkingDirectory { get; init; }

    /// <summary>This process's environment, which the child inherits unless <see cref="Pristine"/>.</summary>
    public required IReadOnlyDictionary<string, string> CurrentEnvironment { get; init; }

    /// <summary>Start the child with the secrets and a minimal set of variables only.</summary>
    public bool Pristine { get; init; }

    /// <summary>A variable already set wins over a secret of the same name.</summary>
    public bool NoClobber { get; init; }

    /// <summary>Pass SIGINT on to the child (true when this process's input is not a terminal).</summary>
    public bool ForwardInterrupt { get; init; }

    /// <summary>The CI masker: every value form is registered with it before the child starts.</summary>
    public required CiMasker Masker { get; init; }

    /// <summary>Gets each warning (value-free), after the masks are registered and before the child starts.</summary>
    public Action<Diagnostic>? Warn { get; init; }

    /// <summary>Called just before the child starts, with the variables it gets (use their names only).</summary>
    public Action<SecretVariableSet>? Starting { get; init; }
}
