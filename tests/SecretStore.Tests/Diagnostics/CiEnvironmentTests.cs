using SecretStore.Diagnostics.Ci;

namespace SecretStore.Tests.Diagnostics;

public sealed class CiEnvironmentTests
{
    [Theory]
    [InlineData("true", null, "GitHubActions")]
    [InlineData("TRUE", "True", "GitHubActions")]
    [InlineData(null, "True", "AzurePipelines")]
    [InlineData(null, "true", "AzurePipelines")]
    [InlineData("false", null, "None")]
    [InlineData(null, "1", "None")]
    [InlineData(null, null, "None")]
    public void Detects_the_CI_system_from_its_variables(string? githubActions, string? tfBuild, string expected)
    {
        var environment = new Dictionary<string, string?> { ["GITHUB_ACTIONS"] = githubActions, ["TF_BUILD"] = tfBuild };
        Assert.Equal(Enum.Parse<CiSystem>(expected), CiEnvironment.Detect(name => environment.GetValueOrDefault(name)));
    }
}
