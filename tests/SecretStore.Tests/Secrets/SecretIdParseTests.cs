using SecretStore.Diagnostics;
using SecretStore.Secrets;

namespace SecretStore.Tests.Secrets;

/// <summary>The one parser of secret references that every face uses (CLI arguments, mappings, Cake calls).</summary>
public sealed class SecretIdParseTests
{
    [Theory]
    [InlineData("Shop/Db", null, "Shop", "Db")]
    [InlineData("Db", "Shop", "Shop", "Db")]
    [InlineData("Other/Db", "Shop", "Other", "Db")]
    [InlineData(@"Shop/a\/b", null, "Shop", "a/b")]
    [InlineData(@"Sh\\op/Db", null, @"Sh\op", "Db")]
    [InlineData(@"Shop/a\b", null, "Shop", @"a\b")]
    [InlineData("Boutique/Clé 🔑", null, "Boutique", "Clé 🔑")]
    public void A_reference_parses_to_its_application_and_name(string text, string? defaultApplication, string application, string name)
    {
        Assert.Equal(new SecretId(application, name), SecretId.Parse(text, defaultApplication));
    }

    [Theory]
    [InlineData("", "Shop", "is empty; write Application/Name or Name")]
    [InlineData(null, "Shop", "is empty; write Application/Name or Name")]
    [InlineData("Db", null, "names no application and no default application is set; write Application/Name")]
    [InlineData("a/b/c", "Shop", "has more than one '/'; write Application/Name, and escape a '/' that belongs to a name as '\\/'")]
    [InlineData("/Db", "Shop", "has an empty application or name, whitespace at the edge of one, or a lone UTF-16 surrogate")]
    [InlineData("Shop/", "Shop", "has an empty application or name, whitespace at the edge of one, or a lone UTF-16 surrogate")]
    [InlineData(" Shop/Db", null, "has an empty application or name, whitespace at the edge of one, or a lone UTF-16 surrogate")]
    [InlineData("Shop/Db\t", null, "has an empty application or name, whitespace at the edge of one, or a lone UTF-16 surrogate")]
    public void A_bad_reference_is_SSB0001_saying_what_is_wrong_without_repeating_it(string? text, string? defaultApplication, string problem)
    {
        Assert.False(SecretId.TryParse(text, defaultApplication, out _, out var reported));
        var error = Assert.Throws<SecretStoreException>(() => SecretId.Parse(text, defaultApplication));

        Assert.Equal(problem, reported);
        Assert.Equal(DiagnosticCodes.InvalidArgument, error.Code);
        Assert.Equal($"SSB0001: The secret reference {problem}.", error.Message);
    }

    [Fact]
    public void A_lone_surrogate_is_refused_it_has_no_UTF8_form()
    {
        // Built here: an attribute argument cannot carry a lone surrogate (metadata stores UTF-8).
        var text = "Shop/Db" + '\ud800';

        Assert.False(SecretId.TryParse(text, null, out _, out var problem));
        Assert.Equal("has an empty application or name, whitespace at the edge of one, or a lone UTF-16 surrogate", problem);
    }

    [Fact]
    public void The_message_never_holds_the_text_that_was_parsed()
    {
        // A value typed where a reference belongs (a password with two slashes) must not reach a log.
        var error = Assert.Throws<SecretStoreException>(() => SecretId.Parse("hunter2/canary-value/x"));

        Assert.DoesNotContain("canary-value", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
    }
}
