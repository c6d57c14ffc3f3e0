namespace SecretStore.Diagnostics.Ci;

/// <summary>The CI systems whose log the faces speak to: masking commands and error annotations.</summary>
public enum CiSystem
{
    /// <summary>Not a known CI run: no command is written.</summary>
    None,

    /// <summary>GitHub Actions (<c>GITHUB_ACTIONS=true</c>): <c>::add-mask::</c>, <c>::error ...::</c>.</summary>
    GitHubActions,

    /// <summary>Azure Pipelines (<c>TF_BUILD=True</c>): <c>##vso[task.setsecret]</c>, <c>##vso[task.logissue ...]</c>.</summary>
    AzurePipelines,
}
