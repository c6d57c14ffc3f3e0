using SecretStore.Diagnostics;
using SecretStore.Variables;

namespace SecretStore.Tests.Variables;

public sealed class ChildEnvironmentTests
{
    private static readonly Dictionary<string, string> Current = new(StringComparer.Ordinal)
    {
        ["PATH"] = "/usr/bin",
        ["HOME"] = "/home/me",
        ["Token"] = "from-the-shell",
        ["UNRELATED"] = "kept-unless-pristine",
        ["SECRETSTORE_PRIVATE_KEY"] = "-----BEGIN PRIVATE KEY-----",
    };

    [Fact]
    public void The_secret_replaces_a_set_variable_with_a_warning_naming_it_and_never_either_value()
    {
        var warnings = new List<Diagnostic>();

        var environment = ChildEnvironment.Build(Current, Set(("Token", "s3cret-token")), pristine: false, noClobber: false, warnings);

        Assert.Equal("s3cret-token", environment["Token"]);
        Assert.Equal("kept-unless-pristine", environment["UNRELATED"]);
        var warning = Assert.Single(warnings);
        Assert.Equal((DiagnosticCodes.VariableReplaced, DiagnosticSeverity.Warning), (warning.Code, warning.Severity));
        Assert.Contains("'Token'", warning.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-token", warning.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("from-the-shell", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void No_clobber_keeps_the_set_variable_and_says_the_secret_is_not_used()
    {
        var warnings = new List<Diagnostic>();

        var environment = ChildEnvironment.Build(Current, Set(("Token", "s3cret-token"), ("Other", "other-value")), pristine: false, noClobber: true, warnings);

        Assert.Equal("from-the-shell", environment["Token"]);
        Assert.Equal("other-value", environment["Other"]);
        Assert.Contains("not used", Assert.Single(warnings).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Pristine_keeps_only_the_documented_set_and_the_secrets()
    {
        var environment = ChildEnvironment.Build(Current, Set(("Db", "db-value")), pristine: true, noClobber: false, []);

        Assert.Equal(["Db", "HOME", "PATH"], environment.Keys.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_variable_that_held_the_private_key_never_reaches_the_child(bool pristine)
    {
        var environment = ChildEnvironment.Build(Current, Set("SECRETSTORE_PRIVATE_KEY", ("Db", "db-value")), pristine, noClobber: false, []);

        Assert.False(environment.ContainsKey("SECRETSTORE_PRIVATE_KEY"));
        Assert.Equal("db-value", environment["Db"]);
    }

    private static SecretVariableSet Set(params (string Name, string Value)[] variables) => Set(null, variables);

    private static SecretVariableSet Set(string? privateKeyVariable, params (string Name, string Value)[] variables) =>
        new([.. variables.Select(v => new SecretVariable(v.Name, new SecretStore.Secrets.SecretId("shop", v.Name), v.Value))], [], privateKeyVariable, null);
}
