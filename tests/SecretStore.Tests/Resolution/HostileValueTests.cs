using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using SecretStore.Diagnostics;
using static SecretStore.Tests.Resolution.ResolverHarness;

namespace SecretStore.Tests.Resolution;

/// <summary>
/// Every hostile value in every context: the output is parsed by a real parser and the decoded value must equal
/// the secret; the bytes before and after the placeholder must be the template's bytes.
/// </summary>
public sealed class HostileValueTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    public static TheoryData<string> Labels() => HostileValues.Labels();

    [Theory]
    [MemberData(nameof(Labels))]
    public async Task Resolve_json_string_round_trips_through_System_Text_Json_in_LF_file(string label) =>
        await AssertJsonRoundTrip(label, "\n");

    [Theory]
    [MemberData(nameof(Labels))]
    public async Task Resolve_json_string_round_trips_through_System_Text_Json_in_CRLF_file(string label) =>
        await AssertJsonRoundTrip(label, "\r\n");

    [Theory]
    [MemberData(nameof(Labels))]
    public async Task Resolve_xml_attribute_round_trips_through_XDocument(string label)
    {
        var value = HostileValues.All[label];
        var (prefix, suffix) = ("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<configuration>\n  <appSettings>\n    <add key=\"K\" value=\"", "\" />\n  </appSettings>\n</configuration>\n");
        var result = await ResolveTemplate("web.config", prefix, suffix, value);
        if (!HostileValues.XmlCanHold(value))
        {
            Assert.Equal("SSB1005", SingleError(result).Code.Id);
            return;
        }

        AssertSucceeded(result);
        var output = _folder.Read("web.config");
        AssertOutsideUnchanged(output, prefix, suffix);
        var doc = XDocument.Parse(output);
        Assert.Equal(value, doc.Root!.Element("appSettings")!.Element("add")!.Attribute("value")!.Value);
    }

    [Theory]
    [MemberData(nameof(Labels))]
    public async Task Resolve_xml_text_round_trips_through_XDocument_with_file_line_endings(string label)
    {
        var value = HostileValues.All[label];
        var (prefix, suffix) = ("<root>\r\n  <password>", "</password>\r\n</root>\r\n");
        var result = await ResolveTemplate("settings.xml", prefix, suffix, value);
        if (!HostileValues.XmlCanHold(value))
        {
            Assert.Equal("SSB1005", SingleError(result).Code.Id);
            return;
        }

        AssertSucceeded(result);
        var output = _folder.Read("settings.xml");
        AssertOutsideUnchanged(output, prefix, suffix);
        var written = output[prefix.Length..^suffix.Length];
        Assert.DoesNotMatch("(?<!\r)\n", written);
        Assert.Equal(HostileValues.NormalizeNewlines(value), XDocument.Parse(output).Root!.Element("password")!.Value);
    }

    [Theory]
    [MemberData(nameof(Labels))]
    public async Task Resolve_xml_cdata_round_trips_or_refuses_the_terminator(string label)
    {
        var value = HostileValues.All[label];
        var (prefix, suffix) = ("<root><script><![CDATA[var x = '", "';]]></script></root>");
        var result = await ResolveTemplate("page.xml", prefix, suffix, value);
        if (value.Contains("]]>", StringComparison.Ordinal))
        {
            Assert.Equal("SSB1006", SingleError(result).Code.Id);
            return;
        }

        if (!HostileValues.XmlCanHold(value))
        {
            Assert.Equal("SSB1005", SingleError(result).Code.Id);
            return;
        }

        AssertSucceeded(result);
        var output = _folder.Read("page.xml");
        AssertOutsideUnchanged(output, prefix, suffix);
        Assert.Equal("var x = '" + HostileValues.NormalizeNewlines(value) + "';", XDocument.Parse(output).Root!.Element("script")!.Value);
    }

    [Theory]
    [MemberData(nameof(Labels))]
    public async Task Resolve_plain_text_writes_the_value_verbatim_or_refuses_several_lines(string label)
    {
        var value = HostileValues.All[label];
        var (prefix, suffix) = ("# settings\nUSER=app\nPASSWORD=", "\nPORT=5432\n");
        var result = await ResolveTemplate("settings.txt", prefix, suffix, value);
        if (HostileValues.IsMultiLine(value))
        {
            Assert.Equal("SSB1005", SingleError(result).Code.Id);
            return;
        }

        AssertSucceeded(result);
        Assert.Equal(prefix + value + suffix, _folder.Read("settings.txt"));
    }

    [Theory]
    [MemberData(nameof(Labels))]
    public async Task Resolve_base64_modifier_decodes_to_the_value_in_every_format(string label)
    {
        var value = HostileValues.All[label];
        var store = new InMemorySecretStore().With(App, "V", value);
        var json = _folder.Write("a.json", "{\"v\":\"#{secret:V|base64}\"}");
        var xml = _folder.Write("b.xml", "<r v=\"#{secret:V|base64}\">#{secret:V|base64}</r>");
        var text = _folder.Write("c.txt", "V=#{secret:V|base64}\n");
        var result = await RunAsync(store, [json, xml, text]);
        AssertSucceeded(result);
        string Decode(string b64) => Encoding.UTF8.GetString(Convert.FromBase64String(b64));
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal(value, Decode(doc.RootElement.GetProperty("v").GetString()!));
        var root = XDocument.Parse(File.ReadAllText(xml)).Root!;
        Assert.Equal(value, Decode(root.Attribute("v")!.Value));
        Assert.Equal(value, Decode(root.Value));
        Assert.Equal(value, Decode(File.ReadAllText(text)[2..^1]));
    }

    [Theory]
    [MemberData(nameof(Labels))]
    public async Task Report_never_contains_the_value_nor_a_SHA256_SHA1_or_MD5_digest_of_it_or_of_the_written_bytes(string label)
    {
        var value = HostileValues.All[label];
        var reportPath = _folder.Combine("report.json");
        async Task<(string Path, byte[] Report)> ReportFor(string secret)
        {
            var store = new InMemorySecretStore().With(App, "V", secret);
            var path = _folder.Write("appsettings.json", "{\"v\":\"#{secret:V}\"}");
            var result = await RunAsync(store, [path], configure: r => new() { Files = r.Files, DefaultApplication = r.DefaultApplication, ReportPath = reportPath });
            AssertSucceeded(result);
            return (path, File.ReadAllBytes(reportPath));
        }

        // Every value, also those too short for a substring scan ("", "$0", "a\tb"): the report's bytes are exactly
        // those of the same run with a look-alike value, so nothing in it depends on the value.
        var (path, bytes) = await ReportFor(HostileValues.Disguise(value));
        var (_, reportBytes) = await ReportFor(value);
        Assert.Equal(bytes, reportBytes);
        var report = Encoding.UTF8.GetString(reportBytes);
        if (value.Length >= 4)
        {
            Assert.DoesNotContain(value, report, StringComparison.Ordinal);
            var escaped = JsonSerializer.Serialize(value);
            Assert.DoesNotContain(escaped[1..^1], report, StringComparison.Ordinal);
        }

        var output = File.ReadAllText(path);
        var written = output["{\"v\":\"".Length..^"\"}".Length];
        foreach (var digest in ValueDigests.Of(value).Concat(ValueDigests.Of(written)))
        {
            Assert.DoesNotContain(digest, report, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("valueSha256", report, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resolve_json_string_writes_U2028_and_U2029_as_escapes_in_the_file_bytes()
    {
        // System.Text.Json accepts the raw characters, so the round trip above cannot see this; the bytes can.
        // Raw U+2028/U+2029 end a line in JavaScript before ES2019: a JSON file inlined into a script would break.
        var (prefix, suffix) = ("{\"v\": \"", "\"}\n");
        var result = await ResolveTemplate("appsettings.json", prefix, suffix, "a\u2028b\u2029c");
        AssertSucceeded(result);
        var bytes = File.ReadAllBytes(_folder.Combine("appsettings.json"));
        Assert.Equal(Encoding.ASCII.GetBytes(prefix + "a\\u2028b\\u2029c" + suffix), bytes);
        Assert.Equal(-1, bytes.AsSpan().IndexOf([(byte)0xE2, (byte)0x80, (byte)0xA8]));
        Assert.Equal(-1, bytes.AsSpan().IndexOf([(byte)0xE2, (byte)0x80, (byte)0xA9]));
    }

    private async Task AssertJsonRoundTrip(string label, string newline)
    {
        var value = HostileValues.All[label];
        var prefix = $"{{{newline}  // connection settings{newline}  \"Db\": {{ \"Items\": [1, {{ \"Password\": \"";
        var suffix = $"\" }}] }},{newline}}}{newline}";
        var result = await ResolveTemplate("appsettings.Production.json", prefix, suffix, value);
        AssertSucceeded(result);
        var output = _folder.Read("appsettings.Production.json");
        AssertOutsideUnchanged(output, prefix, suffix);
        using var doc = JsonDocument.Parse(output, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        Assert.Equal(value, doc.RootElement.GetProperty("Db").GetProperty("Items")[1].GetProperty("Password").GetString());
    }

    private async Task<SecretStore.Resolution.ResolveResult> ResolveTemplate(string name, string prefix, string suffix, string value)
    {
        var store = new InMemorySecretStore().With(App, "V", value);
        var path = _folder.Write(name, prefix + "#{secret:V}" + suffix);
        var before = File.ReadAllBytes(path);
        var result = await RunAsync(store, [path]);
        if (!result.Succeeded)
        {
            Assert.Equal(before, File.ReadAllBytes(path));
            Assert.All(result.Diagnostics, d => Assert.DoesNotContain(value.Length >= 4 ? value : "\u0000never", d.Message, StringComparison.Ordinal));

            // Every value, also the short ones a substring scan cannot judge: the diagnostics are exactly those of a
            // look-alike value (letters and digits swapped), so no message carries any part of the value.
            _folder.Write(name, prefix + "#{secret:V}" + suffix);
            var lookAlike = await RunAsync(new InMemorySecretStore().With(App, "V", HostileValues.Disguise(value)), [path]);
            Assert.Equal(lookAlike.Diagnostics.Select(d => (d.Code.Id, d.Message)), result.Diagnostics.Select(d => (d.Code.Id, d.Message)));
            Assert.All(result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error), d => Assert.Equal((path, true), (d.FilePath, d.Line > 0)));
        }

        return result;
    }

    private static void AssertOutsideUnchanged(string output, string prefix, string suffix)
    {
        Assert.StartsWith(prefix, output, StringComparison.Ordinal);
        Assert.EndsWith(suffix, output, StringComparison.Ordinal);
    }
}
