using SecretStore.Diagnostics;

namespace SecretStore.Variables;

/// <summary>
/// The environment a child process of <c>run</c> (or the Cake alias) starts with: the current one, or with
/// <c>pristine</c> only <see cref="PristineNames"/>, plus the secrets. A secret replaces a variable of the same name
/// (warning <c>SSB4005</c> naming it) unless <c>noClobber</c>, when the variable that is set wins (the same warning,
/// saying so). The variable that held the RSA private key of the run is never passed on: it opens every record.
/// </summary>
public static class ChildEnvironment
{
    /// <summary>
    /// What a pristine child keeps of the current environment: what a shell and the .NET host need to find programs,
    /// the user, the terminal, the locale and the temp folder (and on Windows the system folders).
    /// </summary>
    public static IReadOnlyList<string> PristineNames { get; } = OperatingSystem.IsWindows()
        ?
        [
            "PATH", "PATHEXT", "SystemRoot", "SystemDrive", "windir", "ComSpec", "TEMP", "TMP", "USERPROFILE", "USERNAME",
            "HOMEDRIVE", "HOMEPATH", "APPDATA", "LOCALAPPDATA", "ProgramData", "ProgramFiles", "ProgramFiles(x86)",
            "NUMBER_OF_PROCESSORS", "PROCESSOR_ARCHITECTURE", "OS", "DOTNET_ROOT",
        ]
        : ["PATH", "HOME", "USER", "LOGNAME", "SHELL", "TERM", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR", "DOTNET_ROOT"];

    /// <summary>Builds the child's environment; <paramref name="warnings"/> gets the value-free <c>SSB4005</c> warnings.</summary>
    public static Dictionary<string, string> Build(
        IReadOnlyDictionary<string, string> current,
        SecretVariableSet variables,
        bool pristine,
        bool noClobber,
        ICollection<Diagnostic> warnings)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(variables);
        ArgumentNullException.ThrowIfNull(warnings);
        var environment = new Dictionary<string, string>(VariableNames.Comparer);
        var keep = new HashSet<string>(PristineNames, VariableNames.Comparer);
        foreach (var (name, value) in current)
        {
            if (!pristine || keep.Contains(name))
            {
                environment[name] = value;
            }
        }

        if (!string.IsNullOrWhiteSpace(variables.PrivateKeyVariable))
        {
            environment.Remove(variables.PrivateKeyVariable);
        }

        // A missing secret's variable is unset even when the caller has one (red team: an earlier CI step's value
        // passed for the secret under --strict false); the same rule with --no-clobber, which keeps only what a
        // secret would replace.
        foreach (var name in variables.Missing)
        {
            environment.Remove(name);
        }

        foreach (var variable in variables.Variables)
        {
            if (environment.ContainsKey(variable.Name))
            {
                warnings.Add(new Diagnostic(
                    DiagnosticCodes.VariableReplaced,
                    DiagnosticSeverity.Warning,
                    noClobber
                        ? $"Variable '{variable.Name}' is already set; --no-clobber keeps it, so secret '{variable.Secret}' is not used."
                        : $"Variable '{variable.Name}' is already set; secret '{variable.Secret}' replaces it for the command (pass --no-clobber to keep it)."));
                if (noClobber)
                {
                    continue;
                }
            }

            environment[variable.Name] = variable.Value;
        }

        return environment;
    }

    /// <summary>The current process's environment as a dictionary (names as the platform compares them).</summary>
    public static IReadOnlyDictionary<string, string> Current()
    {
        var current = new Dictionary<string, string>(VariableNames.Comparer);
        foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            current[(string)entry.Key] = (string?)entry.Value ?? string.Empty;
        }

        return current;
    }
}
