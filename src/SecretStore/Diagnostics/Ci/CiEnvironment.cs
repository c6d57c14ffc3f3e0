namespace SecretStore.Diagnostics.Ci;

/// <summary>Which CI system runs this process, from the variables each runner sets for every step.</summary>
public static class CiEnvironment
{
    /// <summary>
    /// <see cref="CiSystem.GitHubActions"/> when <c>GITHUB_ACTIONS</c> is <c>true</c>, <see cref="CiSystem.AzurePipelines"/>
    /// when <c>TF_BUILD</c> is <c>True</c> (both ignoring case), else <see cref="CiSystem.None"/>. GitHub wins when
    /// both are set (a self-hosted GitHub runner started from an Azure agent still reads GitHub's commands).
    /// </summary>
    /// <param name="environment">Reads one environment variable (<see cref="Environment.GetEnvironmentVariable(string)"/>).</param>
    public static CiSystem Detect(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (string.Equals(environment("GITHUB_ACTIONS"), "true", StringComparison.OrdinalIgnoreCase))
        {
            return CiSystem.GitHubActions;
        }

        return string.Equals(environment("TF_BUILD"), "True", StringComparison.OrdinalIgnoreCase) ? CiSystem.AzurePipelines : CiSystem.None;
    }

    /// <summary>
    /// True when variables of both runners are set (<c>GITHUB_ACTIONS</c> and <c>TF_BUILD</c>, whatever their values).
    /// No order of mask commands is safe for both then: each runner prints the other's command as an ordinary line,
    /// and the command holds the value. An earlier step can set either variable for later steps, so a tool that
    /// must mask refuses to guess (<c>SSB0007</c>).
    /// </summary>
    /// <param name="environment">Reads one environment variable.</param>
    public static bool IsAmbiguous(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return !string.IsNullOrEmpty(environment("GITHUB_ACTIONS")) && !string.IsNullOrEmpty(environment("TF_BUILD"));
    }
}
