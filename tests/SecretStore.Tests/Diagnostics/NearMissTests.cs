using SecretStore.Diagnostics;

namespace SecretStore.Tests.Diagnostics;

/// <summary>The one "did you mean" rule (settings members, placeholder applications).</summary>
public sealed class NearMissTests
{
    [Theory]
    [InlineData("webapp", "WebApp")]     // case only
    [InlineData("WebAp", "WebApp")]      // one edit
    [InlineData("WbAppp", "WebApp")]     // two edits, a name of more than four characters
    [InlineData("Shp", "Shop")]          // one edit, a short name
    public void A_name_one_or_two_edits_away_suggests_the_candidate(string name, string candidate) =>
        Assert.Equal(candidate, NearMiss.Suggest(name, ["Billing", candidate]));

    [Theory]
    [InlineData("Shxx", "Shop")]         // two edits are too many for a name of up to four characters
    [InlineData("WAp", "WebApp")]        // three edits
    [InlineData("WebApp", "WebApp")]     // the same name is not a near miss
    public void A_name_too_far_or_identical_suggests_nothing(string name, string candidate) =>
        Assert.Null(NearMiss.Suggest(name, [candidate]));

    [Fact]
    public void The_same_name_but_for_case_wins_over_a_closer_spelling() =>
        Assert.Equal("SHOPS", NearMiss.Suggest("shops", ["shop", "SHOPS"]));
}
