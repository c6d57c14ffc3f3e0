namespace SecretStore.Variables.Export;

/// <summary>The formats of <c>secretstore export</c> (docs/cli.md has the escaping of each, and which readers read it exactly).</summary>
public enum ExportFormat
{
    /// <summary><c>NAME='value'</c> lines: docker compose <c>--env-file</c>, the Node and .NET dotenv loaders, <c>set -a; . file</c>.</summary>
    Dotenv,

    /// <summary>One JSON object of names to string values, sorted by name.</summary>
    Json,

    /// <summary><c>export NAME='value'</c> lines for a POSIX shell's <c>.</c> (<c>source</c>), exact for any value.</summary>
    Shell,

    /// <summary>GitHub Actions' <c>GITHUB_ENV</c> file: <c>NAME&lt;&lt;DELIMITER</c> blocks with a random delimiter.</summary>
    GitHubEnv,

    /// <summary>Azure Pipelines logging commands: <c>##vso[task.setvariable variable=NAME;issecret=true]value</c>.</summary>
    AzureVariables,
}
