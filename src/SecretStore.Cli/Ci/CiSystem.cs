namespace SecretStore.Cli.Ci;

/// <summary>The CI systems whose log masker the CLI feeds.</summary>
internal enum CiSystem
{
    /// <summary>Not a known CI run: nothing is registered.</summary>
    None,

    /// <summary>GitHub Actions (<c>GITHUB_ACTIONS=true</c>): <c>::add-mask::</c>.</summary>
    GitHubActions,

    /// <summary>Azure Pipelines (<c>TF_BUILD=True</c>): <c>##vso[task.setsecret]</c>.</summary>
    AzurePipelines,
}
