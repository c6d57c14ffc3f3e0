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
}
