using SecretStore.Diagnostics;

namespace SecretStore.Tests.Diagnostics;

/// <summary>Issue 12 item 5: the one escaping function every face applies to log lines and stdout rows.</summary>
public sealed class LogTextTests
{
    [Theory]
    [InlineData("a\nb", "a\\x0Ab")]
    [InlineData("a\r\nb", "a\\x0D\\x0Ab")]
    [InlineData("a\tb", "a\\x09b")]
    [InlineData("\u001B[31mred", "\\x1B[31mred")]
    [InlineData("nul\0", "nul\\x00")]
    [InlineData("del\u007F", "del\\x7F")]
    [InlineData("c1\u0085\u009B", "c1\\x85\\x9B")]
    [InlineData("ls\u2028ps\u2029", "ls\\u2028ps\\u2029")]
    [InlineData("rlo\u202Eevil", "rlo\\u202Eevil")]
    [InlineData("bidi\u200E\u200F\u202A\u202B\u202C\u202D\u2066\u2067\u2068\u2069\u061C", "bidi\\u200E\\u200F\\u202A\\u202B\\u202C\\u202D\\u2066\\u2067\\u2068\\u2069\\u061C")]
    public void Control_characters_are_escaped_visibly(string text, string expected) =>
        Assert.Equal(expected, LogText.Escape(text));

    [Theory]
    [InlineData("::stop-commands::x", "\\x3A:stop-commands::x")]
    [InlineData("   ::add-mask::v", "   \\x3A:add-mask::v")]
    [InlineData("\u00A0::error::x", "\u00A0\\x3A:error::x")]
    [InlineData("x\n::stop-commands::y", "x\\x0A::stop-commands::y")]
    [InlineData("name ##vso[task.prependpath]/tmp", "name \\x23#vso[task.prependpath]/tmp")]
    [InlineData("##VSO[task.setvariable variable=x]1", "\\x23#VSO[task.setvariable variable=x]1")]
    [InlineData("a ##[group]x", "a \\x23#[group]x")]
    [InlineData("####vso[", "##\\x23#vso[")]
    public void Workflow_commands_are_neutralised(string text, string expected) =>
        Assert.Equal(expected, LogText.Escape(text));

    [Theory]
    [InlineData("C:\\src\\app\\appsettings.json(3,9): error SSB2001: Secret 'shop/Db' was not found.")]
    [InlineData("keys 🔑 pässwörd 密码 a::b #{secret:Name} # ## #vso[")]
    public void Ordinary_text_is_returned_unchanged(string text) =>
        Assert.Equal(text, LogText.Escape(text));

    [Fact]
    public void A_lone_surrogate_is_escaped_and_a_pair_is_kept() =>
        Assert.Equal("lone\\uD800 pair 🔑 \\uDC00", LogText.Escape("lone" + '\uD800' + " pair 🔑 " + '\uDC00'));

    [Theory]
    [InlineData("\n::stop-commands::x\u202E\u001B[2J##vso[task.prependpath]/tmp")]
    [InlineData("  ::x")]
    [InlineData("####vso[##[")]
    public void Escaping_is_idempotent(string text)
    {
        var once = LogText.Escape(text);
        Assert.Equal(once, LogText.Escape(once));
    }

    [Fact]
    public void Row_keeps_the_tab_separators_escapes_every_field_and_guards_the_line_start()
    {
        Assert.Equal("a\\x09b\tc\\x0A::d\t\\x23#vso[x]", LogText.Row("a\tb", "c\n::d", "##vso[x]"));
        Assert.Equal("\t\\x3A:set-output::x", LogText.Row("", "::set-output::x"));
    }

    [Fact]
    public void Diagnostic_format_escapes_the_path_and_the_message()
    {
        var diagnostic = new Diagnostic(DiagnosticCodes.KeyNotFound, DiagnosticSeverity.Error, "Master key 'k\n##vso[task.prependpath]/tmp' was not found.", "::stop-commands::x/a.json", 2, 3);

        var line = diagnostic.ToMSBuildFormat();

        Assert.Equal($"\\x3A:stop-commands::x/a.json(2,3): error SSB3001: Master key 'k\\x0A\\x23#vso[task.prependpath]/tmp' was not found. Fix: {DiagnosticCodes.KeyNotFound.Fix}", line);
    }

    [Fact]
    public void Exception_message_is_escaped()
    {
        var exception = new SecretStoreException(DiagnosticCodes.KeyNotFound, "key '\n::add-mask::x'");

        Assert.Equal("SSB3001: key '\\x0A::add-mask::x'", exception.Message);
    }
}
