using SecretStore.Configuration;

namespace SecretStore.Tests.Configuration;

/// <summary>The count parser of <see cref="SettingValue"/> (the history retention of the CLI option and its variable).</summary>
public sealed class SettingValueTests
{
    [Theory]
    [InlineData("1", 1)]
    [InlineData(" 20 ", 20)]
    [InlineData("2147483647", int.MaxValue)]
    public void A_count_is_digits_only_from_1(string text, int expected)
    {
        Assert.True(SettingValue.TryParsePositiveInteger(text, out var value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void A_blank_count_is_unset(string? text)
    {
        Assert.True(SettingValue.TryParsePositiveInteger(text, out var value));
        Assert.Null(value);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("+3")]
    [InlineData("2.5")]
    [InlineData("1e3")]
    [InlineData("ten")]
    [InlineData("2147483648")]
    [InlineData("1 0")]
    public void Anything_else_is_refused_never_read_as_unset(string text)
    {
        Assert.False(SettingValue.TryParsePositiveInteger(text, out var value));
        Assert.Null(value);
    }

    [Fact]
    public void The_message_names_the_setting_and_shows_a_short_single_line_prefix_of_the_text()
    {
        var message = SettingValue.InvalidPositiveIntegerMessage("SECRETSTORE_KEEP_REVISIONS", "abcdefghijklmnopqrstuvwxyz0123\nsecond");

        Assert.Equal("SECRETSTORE_KEEP_REVISIONS is 'abcdefghijklmnopqrstuvwx...', which is not a whole number from 1 to 2147483647; write digits only, such as 10 (or leave it empty for the default).", message);
    }
}
