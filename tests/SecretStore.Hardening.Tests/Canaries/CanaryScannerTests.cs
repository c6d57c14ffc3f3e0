using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Web;
using System.Xml.Linq;
using SecretStore.Diagnostics;
using SecretStore.Testing.Canaries;

namespace SecretStore.Hardening.Tests.Canaries;

public sealed class CanaryScannerTests : IDisposable
{
    // Needs escaping in every text form: quote, markup, URL-reserved and non-ASCII characters.
    private const string Canary = "c4n4ry \"p@ss\" <&> +/= wörd 漢字 end";
    private const string MultiLine = "first-line-Qz7\nsecond-line-Kx9\r\nab";

    private readonly string _folder = Directory.CreateTempSubdirectory("canary-").FullName;
    private readonly CanaryScanner _scanner = new(Canary, MultiLine);

    public static TheoryData<string, string> Encodings() => new()
    {
        { "utf8", "utf8" },
        { "utf16le", "utf16le" },
        { "json", "json" },
        { "json-relaxed", "json-relaxed" },
        { "json-newtonsoft-lowerhex", "json-lowerhex" },
        { "xml-text", "xml-text" },
        { "xml-attribute", "xml-attribute" },
        { "base64-utf8-0", "base64(utf8)" },
        { "base64-utf8-1", "base64(utf8)" },
        { "base64-utf8-2", "base64(utf8)" },
        { "base64-utf16-1", "base64(utf16le)" },
        // A base64url fragment without - or _ is the same bytes as the base64 one; the scanner reports it once.
        { "base64url-utf8-2", "base64*(utf8)" },
        { "hex-lower", "hex(utf8)" },
        { "hex-upper", "HEX(utf8)" },
        { "hex-utf16", "hex(utf16le)" },
        { "url-escape", "url" },
        { "url-form", "url-form" },
        { "url-httputility-lower", "url-lowerhex" },
    };

    [Theory]
    [MemberData(nameof(Encodings))]
    public async Task Scanner_finds_the_canary_in_each_form_in_a_file(string encoding, string expectedForm)
    {
        var file = Write(encoding, Encode(encoding, Canary));

        var hits = await _scanner.ScanFileAsync(file);

        Assert.Contains(hits, h => h.Canary == 0 && h.Source == file
            && (h.Form == expectedForm || (expectedForm == "base64*(utf8)" && h.Form is "base64(utf8)" or "base64url(utf8)")));
    }

    [Theory]
    [MemberData(nameof(Encodings))]
    public async Task Scanner_does_not_find_a_near_miss_in_any_form(string encoding, string form)
    {
        _ = form;
        // One character changed in the middle, and the value cut short by its last two characters.
        var changed = Canary.Replace("wörd", "wörD", StringComparison.Ordinal);
        var file1 = Write(encoding + "-changed", Encode(encoding, changed));
        var file2 = Write(encoding + "-cut", Encode(encoding, Canary[..^2]));

        var hits = await _scanner.ScanPathsAsync([file1, file2]);

        Assert.DoesNotContain(hits, h => h.Canary == 0);
    }

    [Fact]
    public async Task Scanner_finds_each_line_of_a_multi_line_value_on_its_own()
    {
        var file = Write("line2.json", Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { v = "xx second-line-Kx9 yy" })));
        var file3 = Write("line3.txt", Encoding.UTF8.GetBytes("ab ab ab"));

        var hits = await _scanner.ScanPathsAsync([file, file3]);

        var hit = Assert.Single(hits);
        Assert.Equal((1, "line 2: utf8", file), (hit.Canary, hit.Form, hit.Source));
    }

    [Fact]
    public async Task Scanner_searches_folders_recursively_and_inside_gzip_and_zip()
    {
        var nested = Directory.CreateDirectory(Path.Combine(_folder, "a", "b")).FullName;
        var gz = Path.Combine(nested, "build.binlog");
        await using (var stream = File.Create(gz))
        await using (var gzip = new GZipStream(stream, CompressionLevel.Fastest))
        {
            gzip.Write(Encoding.UTF8.GetBytes("property value " + Canary));
        }

        var zipPath = Path.Combine(_folder, "a", "package.nupkg");
        using (var zip = ZipFile.Open(zipPath, ZipArchiveMode.Create))
        {
            using var entry = new StreamWriter(zip.CreateEntry("content/appsettings.json").Open());
            entry.Write(JsonSerializer.Serialize(new { secret = Canary }));
        }

        var hits = await _scanner.ScanDirectoryAsync(_folder);

        Assert.Contains(hits, h => h.Source == gz + "!gunzip" && h.Form == "utf8");
        Assert.Contains(hits, h => h.Source == zipPath + "!content/appsettings.json" && h.Form == "json");
        Assert.Equal(2, hits.Count);
    }

    [Fact]
    public async Task Scanner_finds_a_value_across_a_stream_chunk_boundary()
    {
        var value = Encoding.UTF8.GetBytes(Canary);
        var data = new byte[3 << 20];
        Random.Shared.NextBytes(data);
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = (byte)('a' + (data[i] % 26));
        }

        var at = (1 << 20) - (value.Length / 2);
        value.CopyTo(data, at);

        var hits = await _scanner.ScanAsync(new MemoryStream(data), "stream");

        var hit = Assert.Single(hits);
        Assert.Equal(at, hit.Offset);
    }

    [Fact]
    public void Scanner_searches_exception_messages_diagnostics_and_inner_exceptions()
    {
        var inner = new InvalidOperationException("boom " + Uri.EscapeDataString(Canary));
        var coded = new SecretStoreException([new Diagnostic(DiagnosticCodes.UnexpectedError, DiagnosticSeverity.Warning, "w", FilePath: "/x/" + Canary)]);

        Assert.Contains(_scanner.Scan(new SecretStoreException(DiagnosticCodes.UnexpectedError, "clean", inner), "e"), h => h.Form == "url");
        Assert.Contains(_scanner.Scan(coded, "e"), h => h.Source.Contains("diagnostic", StringComparison.Ordinal));
        Assert.Empty(_scanner.Scan(new SecretStoreException(DiagnosticCodes.UnexpectedError, "secret 'app/name' could not be read"), "e"));
    }

    [Fact]
    public void Hit_report_names_source_and_form_but_never_the_value()
    {
        var hits = _scanner.Scan("log line: " + Canary, "console");

        var failure = Assert.Throws<CanaryLeakException>(() => hits.ShouldBeEmpty());

        Assert.Contains("console", failure.Message, StringComparison.Ordinal);
        Assert.Empty(_scanner.Scan(failure.Message, "report"));
    }

    [Fact]
    public void Scanner_refuses_canaries_short_enough_to_match_by_chance() =>
        Assert.Throws<ArgumentException>(() => new CanaryScanner("abc"));

    private static byte[] Encode(string encoding, string value)
    {
        var utf8 = Encoding.UTF8.GetBytes(value);
        var text = encoding switch
        {
            "utf8" => "before " + value + " after",
            "json" => JsonSerializer.Serialize(new { ConnectionString = value }),
            "json-relaxed" => JsonSerializer.Serialize(new { ConnectionString = value }, new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }),
            "json-newtonsoft-lowerhex" => System.Text.RegularExpressions.Regex.Replace(JsonSerializer.Serialize(value), @"\\u[0-9A-F]{4}", m => m.Value.ToLowerInvariant()),
            "xml-text" => new XElement("add", value).ToString(),
            "xml-attribute" => new XElement("add", new XAttribute("value", value)).ToString(),
            "base64-utf8-0" => "==" + Convert.ToBase64String([.. utf8, .. "tail"u8]),
            "base64-utf8-1" => Convert.ToBase64String([(byte)'x', .. utf8, (byte)'y']),
            "base64-utf8-2" => Convert.ToBase64String([(byte)'x', (byte)'x', .. utf8]),
            "base64-utf16-1" => Convert.ToBase64String([(byte)'x', .. Encoding.Unicode.GetBytes(value), (byte)'y', (byte)'z']),
            "base64url-utf8-2" => Convert.ToBase64String([9, 250, .. utf8, 255]).Replace('+', '-').Replace('/', '_'),
            "hex-lower" => "0x" + Convert.ToHexStringLower(utf8),
            "hex-upper" => Convert.ToHexString(utf8),
            "hex-utf16" => Convert.ToHexStringLower(Encoding.Unicode.GetBytes(value)),
            "url-escape" => "https://h/?p=" + Uri.EscapeDataString(value),
            "url-form" => "p=" + WebUtility.UrlEncode(value),
            "url-httputility-lower" => "p=" + HttpUtility.UrlEncode(value).Replace("+", "%20", StringComparison.Ordinal),
            "utf16le" => null,
            _ => throw new ArgumentOutOfRangeException(nameof(encoding), encoding, null),
        };
        return text is null ? Encoding.Unicode.GetBytes("before " + value + " after") : Encoding.UTF8.GetBytes(text);
    }

    private string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
