using SecretStore.Secrets;

namespace SecretStore.Tests.Secrets;

public sealed class SecretValueTextTests
{
    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("\r")]
    [InlineData("\u00A0\u3000\u0085\v\f")]
    [InlineData("\uFEFF\r\n")]
    [InlineData("\0\u0001\u007F")]
    [InlineData("\u200B\u200C\u200D\u2060\u00AD\u200E\u202E")]
    [InlineData("\u3164\u115F\u1160\uFFA0\u034F\uFE0F")]
    [InlineData("\U000E0001\U000E0100")]
    public void Values_without_a_visible_character_count_as_empty(string value) =>
        Assert.True(SecretValueText.HasNothingVisible(value));

    [Theory]
    [InlineData("a")]
    [InlineData("\uFEFFpassword")]
    [InlineData("\u200B0")]
    [InlineData("\u00E9")]
    [InlineData("\U0001F511")]
    [InlineData("-")]
    public void A_single_visible_character_makes_a_value(string value) =>
        Assert.False(SecretValueText.HasNothingVisible(value));
}
