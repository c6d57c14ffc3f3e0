using System.Text;
using CsCheck;
using Microsoft.Extensions.Configuration;
using SecretStore.Resolution;
using SecretStore.Resolution.Formats;

namespace SecretStore.Tests.Resolution.Formats;

/// <summary>
/// INI files (issue 19), read back by the .NET INI configuration provider through <see cref="ConfigurationBuilder"/>, as
/// a .NET host reads them: hostile values land exactly or are refused with a coded error naming the place and never the
/// value; comments, sections, line endings and every byte outside the written values stay as they were.
/// </summary>
public sealed class IniFormatTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    /// <summary>Quotes, spaces at the edges, '=', ';', '#', '[', ']', backslashes, Unicode; no line break, no NUL.</summary>
    private static readonly Gen<string> OneLine = Gen.OneOf(
        Gen.Char[' ', '~'].Array[1, 6].Select(a => new string(a)),
        Gen.Char["\"'\\=;#[]:/ \t$`{}"].Array[1, 4].Select(a => new string(a)),
        Gen.Char['\u00A0', '\uD7FF'].Array[1, 3].Select(a => new string(a)),
        Gen.OneOf(Gen.Const("🔑"), Gen.Const("\u2028"), Gen.Const("\u3000"), Gen.Const("\"quoted\""), Gen.Const(" x = y ")))
        .Array[0, 8].Select(string.Concat).Where(v => !v.Contains("#{secret", StringComparison.Ordinal) && !v.Contains("##{", StringComparison.Ordinal));

    [Fact]
    public async Task A_hostile_value_as_a_whole_value_reads_back_exactly_and_every_other_byte_stays()
    {
        var gen = Gen.Select(OneLine, Gen.Bool, Gen.Bool);
        await gen.SampleAsync(async (value, crlf, quoted) =>
        {
            var nl = crlf ? "\r\n" : "\n";
            var placeholder = quoted ? "\"#{secret:Db}\"" : "#{secret:Db}";
            var template = $"; settings{nl}[Data]{nl}Db = {placeholder}{nl}# trailing comment #{{secret:Api}}{nl}[Other]{nl}Name=keep{nl}";
            var (result, output) = await ResolveAsync("settings.ini", template, value);

            ResolverHarness.AssertSucceeded(result);
            var read = Read(output);
            Assert.Equal(value, read["Data:Db"]);
            Assert.Equal("keep", read["Other:Name"]);
            var at = template.IndexOf(placeholder, StringComparison.Ordinal);
            Assert.StartsWith(template[..at], output, StringComparison.Ordinal);
            Assert.EndsWith(template[(at + placeholder.Length)..], output, StringComparison.Ordinal);
        }, iter: 300, threads: 1);
    }

    [Fact]
    public async Task A_value_inside_a_line_reads_back_exactly_or_is_refused_naming_the_key_never_the_value()
    {
        var gen = Gen.Select(OneLine, Gen.OneOf(Gen.Const(""), Gen.Const("pre-"), Gen.Const("  pad ")), Gen.OneOf(Gen.Const(""), Gen.Const("-post"), Gen.Const(" \"")));
        await gen.SampleAsync(async (value, before, after) =>
        {
            var template = $"[S]\nKey={before}#{{secret:Db}}{after}\n";
            var (result, output) = await ResolveAsync("part.ini", template, value);
            var expected = (before + value + after).Trim();
            if (expected.Length > 1 && expected[0] == '"' && expected[^1] == '"')
            {
                expected = expected[1..^1];
            }

            var wanted = before.TrimStart() + value + after.TrimEnd();
            if (result.Succeeded)
            {
                Assert.Equal(wanted, Read(output)["S:Key"]);
            }
            else
            {
                // Refused only when the reader would not give the value back where it stands; nothing written.
                Assert.NotEqual(wanted, expected);
                var error = ResolverHarness.SingleError(result);
                Assert.Equal("SSB1005", error.Code.Id);
                Assert.Contains("INI key 'S:Key'", error.Message, StringComparison.Ordinal);
                Assert.Equal(template, output);
                if (value.Trim().Length > 3)
                {
                    Assert.DoesNotContain(value.Trim(), error.ToString(), StringComparison.Ordinal);
                }
            }
        }, iter: 300, threads: 1);
    }

    [Theory]
    [InlineData("line one\nline two")]
    [InlineData("cr\ronly")]
    [InlineData("nul\0inside")]
    public async Task A_value_an_INI_line_cannot_carry_is_SSB1005_and_nothing_is_written(string value)
    {
        var template = "[S]\nKey=#{secret:Db}\n";
        var (result, output) = await ResolveAsync("bad.ini", template, value);

        var error = ResolverHarness.SingleError(result);
        Assert.Equal("SSB1005", error.Code.Id);
        Assert.Equal(2, error.Line);
        Assert.DoesNotContain("inside", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("line two", error.ToString(), StringComparison.Ordinal);
        Assert.Equal(template, output);
    }

    [Fact]
    public async Task The_base64_modifier_carries_any_value()
    {
        var (result, output) = await ResolveAsync("b64.ini", "Key=#{secret:Db|base64}\n", "two\nlines\0");

        ResolverHarness.AssertSucceeded(result);
        Assert.Equal("two\nlines\0", Encoding.UTF8.GetString(Convert.FromBase64String(Read(output)["Key"]!)));
    }

    [Theory]
    [InlineData("[#{secret:Db}]\nKey=x\n", 1, "section")]
    [InlineData("Key#{secret:Db}=x\n", 1, "INI key")]
    [InlineData("[S]\nKey #{secret:Db}=x\n", 2, "INI key")]
    [InlineData("[S]\nnot an entry #{secret:Db}\n", 2, "neither a key=value entry")]
    public async Task A_placeholder_outside_a_value_is_refused_and_nothing_is_written(string template, int line, string why)
    {
        // A line that starts with '#' is a comment to the INI reader, placeholder or not: see the comments test.
        await AssertRefusedAsync(template, line, why);
    }

    private async Task AssertRefusedAsync(string template, int line, string why)
    {
        var (result, output) = await ResolveAsync("place.ini", template, "v");

        var error = ResolverHarness.SingleError(result);
        Assert.Equal("SSB1005", error.Code.Id);
        Assert.Equal(line, error.Line);
        Assert.Contains(why, error.Message, StringComparison.Ordinal);
        Assert.Equal(template, output);
    }

    [Theory]
    [InlineData("[S]\nKey=#{secret:Db}\nnot an entry\n", 3, "neither key=value")]
    [InlineData("[S]\nKey=#{secret:Db}\nkey=again\n", 3, "'S:key' is given twice")]
    public async Task A_file_the_INI_reader_refuses_is_SSB1012_naming_the_line_never_its_text(string template, int line, string why)
    {
        var (result, output) = await ResolveAsync("invalid.ini", template, "v");

        var error = ResolverHarness.SingleError(result);
        Assert.Equal("SSB1012", error.Code.Id);
        Assert.Equal(line, error.Line);
        Assert.Contains(why, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("again", error.Message, StringComparison.Ordinal);
        Assert.Equal(template, output);
    }

    [Fact]
    public async Task Comments_blank_lines_a_BOM_and_CRLF_stay_byte_for_byte_and_placeholders_in_comments_are_left_alone()
    {
        var template = "\uFEFF; #{secret:Ignored}\r\n\r\n# also #{secret:Ignored}\r\n/ slash comment\r\n[Db]\r\n  Password =  #{secret:Db}  \r\n";
        var path = _folder.Write("comments.ini", Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(template[1..])).ToArray());
        var store = new InMemorySecretStore().With(ResolverHarness.App, "Db", "s3cret");

        var result = await ResolverHarness.RunAsync(store, [path]);

        ResolverHarness.AssertSucceeded(result);
        var bytes = File.ReadAllBytes(path);
        Assert.Equal(Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(template[1..].Replace("#{secret:Db}", "s3cret", StringComparison.Ordinal))).ToArray(), bytes);
    }

    [Fact]
    public async Task A_mapping_Section_Key_writes_the_whole_value_quoted_where_needed()
    {
        var template = "[ConnectionStrings]\nDefault = placeholder-for-ops\n[Api]\nToken=\"old\"\n";
        var path = _folder.Write("mapped.ini", template);
        var store = new InMemorySecretStore().With(ResolverHarness.App, "Db", " padded \"value\" ").With(ResolverHarness.App, "Token", "t0k\"en");

        var result = await ResolverHarness.RunAsync(store, [path], configure: r => new ResolveRequest
        {
            Files = r.Files,
            DefaultApplication = r.DefaultApplication,
            Mappings = [new SecretMapping { ConfigurationPath = "connectionstrings:default", Secret = "Db" }, new SecretMapping { ConfigurationPath = "Api:Token", Secret = "Token" }],
        });

        ResolverHarness.AssertSucceeded(result);
        var output = File.ReadAllText(path);
        Assert.Equal(" padded \"value\" ", Read(output)["ConnectionStrings:Default"]);
        Assert.Equal("t0k\"en", Read(output)["Api:Token"]);
        Assert.Equal("[ConnectionStrings]\nDefault = \" padded \"value\" \"\n[Api]\nToken=\"t0k\"en\"\n", output);
    }

    [Fact]
    public async Task A_file_of_another_extension_is_read_as_INI_when_its_format_is_chosen()
    {
        var template = "[S]\nKey=#{secret:Db}\n";
        var path = _folder.Write("settings.cfg", template);
        var store = new InMemorySecretStore().With(ResolverHarness.App, "Db", " edge ");

        var asText = await ResolverHarness.RunAsync(store, [path], ResolveMode.Verify);
        var asIni = await ResolverHarness.RunAsync(store, [path], configure: r => new ResolveRequest
        {
            Files = r.Files,
            DefaultApplication = r.DefaultApplication,
            Formats = new Dictionary<string, FileFormat> { [Path.GetFullPath(path)] = FileFormat.Ini },
        });

        Assert.Equal(FileFormat.PlainText, asText.Report.Files[0].Format);
        ResolverHarness.AssertSucceeded(asIni);
        Assert.Equal(FileFormat.Ini, asIni.Report.Files[0].Format);
        Assert.Equal(" edge ", Read(File.ReadAllText(path))["S:Key"]);
    }

    private async Task<(ResolveResult Result, string Output)> ResolveAsync(string name, string template, string value)
    {
        var path = _folder.Write(Guid.NewGuid().ToString("N") + "-" + name, template);
        var store = new InMemorySecretStore().With(ResolverHarness.App, "Db", value).With(ResolverHarness.App, "Api", "unused");
        var result = await ResolverHarness.RunAsync(store, [path]);
        return (result, File.ReadAllText(path));
    }

    /// <summary>What a .NET host reads: the INI provider through a configuration builder.</summary>
    private static IConfigurationRoot Read(string text) =>
        new ConfigurationBuilder().AddIniStream(new MemoryStream(Encoding.UTF8.GetBytes(text))).Build();
}
