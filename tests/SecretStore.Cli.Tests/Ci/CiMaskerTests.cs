using SecretStore.Cli.Ci;

namespace SecretStore.Cli.Tests.Ci;

public sealed class CiMaskerTests
{
    [Theory]
    [InlineData("plain-value", "::add-mask::plain-value")]
    [InlineData("100%done", "::add-mask::100%25done")]
    [InlineData("a\r\nb", "::add-mask::a%0D%0Ab")]
    [InlineData("%0A-literal", "::add-mask::%250A-literal")]
    [InlineData("semi;colon]", "::add-mask::semi;colon]")]
    public void GitHub_commands_escape_percent_first_then_CR_and_LF(string form, string expected) =>
        Assert.Equal(expected, CiMasker.Command(CiSystem.GitHubActions, form));

    [Theory]
    [InlineData("plain-value", "##vso[task.setsecret]plain-value")]
    [InlineData("100%done", "##vso[task.setsecret]100%AZP25done")]
    [InlineData("a;b]c", "##vso[task.setsecret]a%3Bb%5Dc")]
    [InlineData("a\r\nb", "##vso[task.setsecret]a%0D%0Ab")]
    [InlineData("%3B-literal", "##vso[task.setsecret]%AZP253B-literal")]
    public void Azure_commands_escape_percent_as_AZP25_then_semicolon_CR_LF_and_bracket(string form, string expected) =>
        Assert.Equal(expected, CiMasker.Command(CiSystem.AzurePipelines, form));

    [Fact]
    public void Azure_forms_with_a_percent_are_registered_for_agents_with_and_without_percent_decoding()
    {
        Assert.Equal(["##vso[task.setsecret]50%AZP25%3B", "##vso[task.setsecret]50%%3B"], CiMasker.Commands(CiSystem.AzurePipelines, "50%;"));
        Assert.Equal(["##vso[task.setsecret]no-percent"], CiMasker.Commands(CiSystem.AzurePipelines, "no-percent"));
        Assert.Equal(["::add-mask::50%25;"], CiMasker.Commands(CiSystem.GitHubActions, "50%;"));
    }

    [Theory]
    [InlineData("true", null, "GitHubActions")]
    [InlineData(null, "True", "AzurePipelines")]
    [InlineData(null, "true", "AzurePipelines")]
    [InlineData("false", null, "None")]
    [InlineData(null, null, "None")]
    public void Detects_the_CI_system_from_its_variables(string? githubActions, string? tfBuild, string expected)
    {
        var environment = new Dictionary<string, string?> { ["GITHUB_ACTIONS"] = githubActions, ["TF_BUILD"] = tfBuild };
        Assert.Equal(Enum.Parse<CiSystem>(expected), CiMasker.Detect(name => environment.GetValueOrDefault(name)));
    }
}
