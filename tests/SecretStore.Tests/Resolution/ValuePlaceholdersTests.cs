using SecretStore.Resolution.Syntax;
using SecretStore.Resolution.Values;
using SecretStore.Secrets;

namespace SecretStore.Tests.Resolution;

/// <summary>The public value scanner: the file resolver's grammar for one value with no file around it.</summary>
public sealed class ValuePlaceholdersTests
{
    [Fact]
    public void A_value_with_placeholders_and_escapes_renders_each_placeholder_and_drops_the_first_hash_of_each_escape()
    {
        var scan = ValuePlaceholders.Scan("##{secret:A} then #{secret:B|base64} and ##{secret:C}, #{secret:other/D}.", "shop");

        var rendered = scan.Render(p => $"<{p.Id}>");

        Assert.Equal("#{secret:A} then <shop/B> and #{secret:C}, <other/D>.", rendered);
        Assert.True(scan.ChangesValue);
        Assert.Equal([new SecretId("shop", "B"), new SecretId("other", "D")], scan.Placeholders.Select(p => p.Id));
        Assert.True(scan.Placeholders[0].Has(PlaceholderModifiers.Base64));
        Assert.False(scan.Placeholders[1].Has(PlaceholderModifiers.Base64));
        Assert.Equal((18, 18, "#{secret:B|base64}"), (scan.Placeholders[0].Start, scan.Placeholders[0].Length, scan.Placeholders[0].Text));
    }

    [Theory]
    [InlineData("plain text", false, "plain text")]
    [InlineData("##{secret:A}", true, "#{secret:A}")]
    [InlineData("#{secret:A}", true, "<value>")]
    [InlineData("#{secretKey} is someone else's token", false, "#{secretKey} is someone else's token")]
    public void ChangesValue_is_true_only_for_a_placeholder_or_an_escape(string value, bool changes, string rendered)
    {
        var scan = ValuePlaceholders.Scan(value, "shop");

        Assert.Equal(changes, scan.ChangesValue);
        Assert.Empty(scan.Errors);
        Assert.Equal(rendered, scan.Render(_ => "<value>"));
    }

    [Fact]
    public void Errors_carry_the_location_when_one_is_given_and_rendering_a_value_with_errors_throws_them()
    {
        var located = ValuePlaceholders.Scan("#{secret:A", "shop", "Configuration key 'K'");
        var bare = ValuePlaceholders.Scan("#{secret:A", "shop");

        var error = Assert.Single(located.Errors);
        Assert.Equal("SSB1001", error.Code.Id);
        Assert.StartsWith("Configuration key 'K': Placeholder '#{secret:A' is not closed", error.Message, StringComparison.Ordinal);
        Assert.StartsWith("Placeholder '#{secret:A' is not closed", Assert.Single(bare.Errors).Message, StringComparison.Ordinal);
        var thrown = Assert.Throws<SecretStore.Diagnostics.SecretStoreException>(() => located.Render(_ => "x"));
        Assert.Equal("SSB1001", thrown.Code.Id);
    }

    [Fact]
    public void A_placeholder_without_an_application_and_no_default_is_SSB1003_and_MayContain_is_the_cheap_test()
    {
        Assert.Equal("SSB1003", Assert.Single(ValuePlaceholders.Scan("#{secret:Db}", defaultApplication: null).Errors).Code.Id);
        Assert.True(ValuePlaceholders.MayContain("x #{secret"));
        Assert.False(ValuePlaceholders.MayContain("x #{secre"));
        Assert.False(ValuePlaceholders.MayContain(null));
        Assert.Throws<ArgumentNullException>(() => ValuePlaceholders.Scan(null!, "shop"));
        Assert.Throws<ArgumentNullException>(() => ValuePlaceholders.Scan("#{secret:A}", "shop").Render(null!));
    }
}
