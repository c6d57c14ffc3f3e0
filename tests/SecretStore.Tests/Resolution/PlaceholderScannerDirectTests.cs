using SecretStore.Diagnostics;
using SecretStore.Resolution.Syntax;
using SecretStore.Secrets;

namespace SecretStore.Tests.Resolution;

public sealed class PlaceholderScannerDirectTests
{
    [Fact]
    public void Quote_keeps_80_characters_and_shortens_longer_text()
    {
        var eighty = new string('a', 80);
        Assert.Equal($"'{eighty}'", PlaceholderScanner.Quote(eighty));
        Assert.Equal($"'{eighty}...'", PlaceholderScanner.Quote(eighty + "b"));
    }

    [Fact]
    public void Stray_marker_reports_the_documented_message()
    {
        var item = Assert.IsType<SyntaxErrorItem>(Assert.Single(PlaceholderScanner.Scan("x #{secret} y", null)));
        Assert.Equal(2, item.Start);
        Assert.Equal("'#{secret' is not followed by ':' and a name; write '#{secret:Name}', or '##{' for a literal '#{'.", item.Message);
    }

    [Fact]
    public void A_backslash_at_the_end_of_the_text_is_an_unterminated_placeholder()
    {
        var item = Assert.IsType<SyntaxErrorItem>(Assert.Single(PlaceholderScanner.Scan("#{secret:a\\", "App")));
        Assert.Equal((0, 11, DiagnosticCodes.UnterminatedPlaceholder), (item.Start, item.Length, item.Code));
    }

    [Fact]
    public void A_backslash_escapes_the_closing_brace_inside_a_name()
    {
        var item = Assert.IsType<PlaceholderItem>(Assert.Single(PlaceholderScanner.Scan("#{secret:a\\}b}", "App")));
        Assert.Equal(new SecretId("App", "a}b"), item.Placeholder.Id);
        Assert.Equal(14, item.Length);
    }

    [Fact]
    public void A_name_without_application_and_no_default_reports_the_documented_message()
    {
        var item = Assert.IsType<SyntaxErrorItem>(Assert.Single(PlaceholderScanner.Scan("#{secret:Db}", null)));
        Assert.Equal(DiagnosticCodes.InvalidPlaceholderName, item.Code);
        Assert.Equal("Placeholder '#{secret:Db}' names no application and no default application is configured.", item.Message);
    }

    [Fact]
    public void A_name_with_a_lone_surrogate_reports_the_documented_message()
    {
        var item = Assert.IsType<SyntaxErrorItem>(Assert.Single(PlaceholderScanner.Scan("#{secret:App/a\uD800}", null)));
        Assert.Equal((0, 16, DiagnosticCodes.InvalidPlaceholderName), (item.Start, item.Length, item.Code));
        Assert.Equal("Placeholder at this position has a name that is not well-formed Unicode.", item.Message);
    }

    [Fact]
    public void End_is_just_past_the_closing_brace()
    {
        var item = Assert.IsType<PlaceholderItem>(Assert.Single(PlaceholderScanner.Scan("xy#{secret:Db}z", "App")));
        Assert.Equal((2, 12, 14), (item.Placeholder.Start, item.Placeholder.Length, item.Placeholder.End));
    }

    [Theory]
    [InlineData("#{secretKey}", 0, true)]
    [InlineData("x#{secretKey}", 1, true)]
    [InlineData("x#{secret_k}", 1, true)]
    [InlineData("##{secretKey}", 1, false)]
    [InlineData("x#{secret", 1, false)]
    [InlineData("#{secret", 0, false)]
    [InlineData("x#{secret:Db}", 1, false)]
    [InlineData("x#{secret}", 1, false)]
    public void IsForeignToken_is_true_only_for_a_marker_followed_by_a_name_character_and_not_escaped(string text, int at, bool expected)
    {
        Assert.Equal(expected, PlaceholderScanner.IsForeignToken(text, at));
    }
}
