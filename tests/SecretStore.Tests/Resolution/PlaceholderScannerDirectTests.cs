using SecretStore.Resolution.Syntax;

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
}
