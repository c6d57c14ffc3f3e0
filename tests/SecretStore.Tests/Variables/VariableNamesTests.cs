using SecretStore.Variables;

namespace SecretStore.Tests.Variables;

public sealed class VariableNamesTests
{
    [Theory]
    [InlineData("ConnectionStrings.Default", null, "ConnectionStrings__Default")]
    [InlineData("ConnectionStrings:Default", null, "ConnectionStrings__Default")]
    [InlineData("Api.Token", "APP_", "APP_Api__Token")]
    [InlineData("a.b:c", null, "a__b__c")]
    [InlineData("_private", null, "_private")]
    [InlineData("Token2", null, "Token2")]
    public void Dots_and_colons_become_double_underscores_and_the_prefix_goes_in_front(string secret, string? prefix, string expected) =>
        Assert.Equal(expected, VariableNames.FromSecretName(secret, prefix));

    [Theory]
    [InlineData("api-key")]
    [InlineData("2fa")]
    [InlineData("name with space")]
    [InlineData("päss")]
    [InlineData("a=b")]
    [InlineData("")]
    public void Names_outside_letters_digits_and_underscore_or_starting_with_a_digit_give_none(string secret)
    {
        Assert.Null(VariableNames.FromSecretName(secret));
        Assert.False(VariableNames.IsValid(secret));
    }

    [Fact]
    public void A_prefix_can_make_a_name_that_starts_with_a_digit_valid() =>
        Assert.Equal("X_2fa", VariableNames.FromSecretName("2fa", "X_"));
}
