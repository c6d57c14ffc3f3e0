using System.Text.RegularExpressions;
using SecretStore.Diagnostics.Ci;

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

    public static TheoryData<string, string> DecodingAgentsAndValuesWithReservedSequences()
    {
        var data = new TheoryData<string, string>();
        foreach (var behaviour in new[] { "decoding", "not-decoding" })
        {
            foreach (var value in ValuesWithReservedSequences)
            {
                data.Add(behaviour, value);
            }
        }

        return data;
    }

    private static readonly string[] ValuesWithReservedSequences =
    [
        "pass%3Bword-secret",
        "bracket%5Dvalue-long",
        "crlf%0Dliteral%0Avalue",
        "mixed%3B;]%%5D-end-part",
        "%AZP25-literal-value",
        "%AZP253B-literal-value",
        "100%-sure-secret",
    ];

    [Theory]
    [MemberData(nameof(DecodingAgentsAndValuesWithReservedSequences))]
    public void Azure_agents_that_decode_percents_or_add_the_decoded_copy_mask_a_value_with_literal_reserved_sequences_whole(string behaviour, string value)
    {
        var agent = AzureAgentModel.For(behaviour);
        foreach (var command in CiMasker.Commands(CiSystem.AzurePipelines, value))
        {
            agent.ProcessLine(command);
        }

        Assert.Equal("Password=***;", agent.Mask("Password=" + value + ";"));
    }

    [Theory]
    [InlineData("pass%3Bword-secret", "Password=***%3B***;")]
    [InlineData("bracket%5Dvalue-long", "Password=***%5D***;")]
    [InlineData("crlf%0Dliteral%0Avalue", "Password=***%0D***%0A***;")]
    [InlineData("mixed%3B;]%x%5D-end-part", "Password=***%3B***%5D***;")]

    // A piece shorter than the minimum stays visible (Register warns with SSB0005).
    [InlineData("mixed%3B;]%%5D-end-part", "Password=***%3B;]%%5D***;")]
    [InlineData("%3Bleading-and-trailing%0A", "Password=%3B***%0A;")]
    [InlineData("100%-sure-secret", "Password=***;")]
    public void Azure_agents_before_3_220_1_without_percent_decoding_mask_the_pieces_between_literal_reserved_sequences(string value, string shown)
    {
        var agent = AzureAgentModel.For("not-decoding-before-3.220.1");
        foreach (var command in CiMasker.Commands(CiSystem.AzurePipelines, value))
        {
            agent.ProcessLine(command);
        }

        Assert.Equal(shown, agent.Mask("Password=" + value + ";"));
    }

    [Fact]
    public void Every_Azure_agent_behaviour_registers_the_form_or_each_long_enough_piece_of_random_forms()
    {
        // Characters that make up the agent's escape sequences, so that every overlap and order case comes up.
        const string Alphabet = "%3B0DA5;]\r\nZP2xb";
        var random = new Random(20260);
        for (var run = 0; run < 3000; run++)
        {
            var form = new string(Enumerable.Range(0, random.Next(4, 25)).Select(_ => Alphabet[random.Next(Alphabet.Length)]).ToArray());
            if (form.Trim().Length < CiMasker.MinimumLength)
            {
                continue;
            }

            var commands = CiMasker.Commands(CiSystem.AzurePipelines, form).ToList();
            foreach (var behaviour in new[] { "decoding", "not-decoding", "not-decoding-before-3.220.1" })
            {
                var agent = AzureAgentModel.For(behaviour);
                commands.ForEach(agent.ProcessLine);
                var expected = behaviour == "not-decoding-before-3.220.1"
                    ? Regex.Split(form, "%(?:3B|0D|0A|5D)").Where(p => p.Trim().Length >= CiMasker.MinimumLength)
                    : [form];
                foreach (var mask in expected)
                {
                    Assert.True(agent.Secrets.Contains(mask), $"{behaviour}: form #{run} (length {form.Length}) is not fully registered.");
                }
            }
        }
    }
}
