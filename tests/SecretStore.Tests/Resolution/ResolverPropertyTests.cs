using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using CsCheck;
using SecretStore.Resolution;

namespace SecretStore.Tests.Resolution;

/// <summary>
/// Random values in random JSON and XML documents: parse(resolve(doc))[path] == value, and every byte outside the
/// placeholder spans is the template's. Each placeholder is followed by a private-use sentinel that values never
/// contain, so the spans can be found in the output without trusting the resolver's own escaping.
/// </summary>
public sealed class ResolverPropertyTests : IDisposable
{
    private const char Sentinel = '\uE000';
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    /// <summary>
    /// Printable text, every escaping-relevant character, any BMP letter and astral emoji; no lone surrogates, no
    /// sentinel. Placeholder text (<c>#{secret:</c>) is refused in values (SSB1019, see PlaceholderInValueTests),
    /// so only another tool's token stands in for it here.
    /// </summary>
    private static readonly Gen<string> Piece = Gen.OneOf(
        Gen.Char[' ', '~'].Array[1, 8].Select(a => new string(a)),
        Gen.Char["\"\\<>&'\r\n\t]$#{}/|`%;=:,[]!-*?"].Array[1, 4].Select(a => new string(a)),
        Gen.Char['\u00A0', '\uD7FF'].Array[1, 3].Select(a => new string(a)),
        Gen.OneOf(Gen.Const("🔑"), Gen.Const("🚀"), Gen.Const("\u2028"), Gen.Const("\u2029"), Gen.Const("#{secretKey}"), Gen.Const("]]>"), Gen.Const("$&"), Gen.Const("$0")));

    // A '#' right before "#{secretKey}" makes the '##{secret' escape, which is placeholder text too (SSB1019).
    private static readonly Gen<string> JsonValue = Gen.OneOf(
        Piece.Array[0, 12].Select(string.Concat).Where(v => !v.Contains("##{secret", StringComparison.Ordinal)),
        Gen.Char['\0', '\u001F'].Array[1, 3].Select(a => new string(a)));

    private static readonly Gen<string> XmlValue = Piece.Array[0, 12].Select(string.Concat).Where(v => !v.Contains("##{secret", StringComparison.Ordinal));

    [Fact]
    public async Task Random_json_documents_resolve_to_the_secret_values_and_keep_every_other_byte()
    {
        var gen = Gen.Select(JsonValue.Array[1, 6], Gen.Int[0, int.MaxValue], Gen.Bool);
        await gen.SampleAsync(async (values, seed, crlf) =>
        {
            var template = BuildJson(values.Length, new Random(seed), crlf ? "\r\n" : "\n", out var expectations);
            await AssertResolves("appsettings.json", template, values, expectations, output =>
            {
                using var doc = JsonDocument.Parse(output, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
                return expectations.Select(e => Navigate(doc.RootElement, e.Path).GetString()!).ToList();
            });
        }, iter: 150, threads: 1);
    }

    [Fact]
    public async Task Random_xml_documents_resolve_to_the_secret_values_and_keep_every_other_byte()
    {
        var gen = Gen.Select(XmlValue.Array[1, 6], Gen.Int[0, int.MaxValue], Gen.Bool);
        await gen.SampleAsync(async (values, seed, crlf) =>
        {
            var template = BuildXml(values.Length, new Random(seed), crlf ? "\r\n" : "\n", out var expectations);
            await AssertResolves("web.config", template, values, expectations, output =>
            {
                var doc = XDocument.Parse(output);
                return expectations.Select(e =>
                {
                    var element = doc.Root!.Element(e.Path[0])!;
                    return e.Path.Length == 2 ? element.Attribute(e.Path[1])!.Value : element.Value;
                }).ToList();
            }, normalizeNewlines: e => e.Path.Length == 1);
        }, iter: 150, threads: 1);
    }

    private async Task AssertResolves(string name, string template, string[] values, List<Expectation> expectations, Func<string, List<string>> decode, Func<Expectation, bool>? normalizeNewlines = null)
    {
        var store = new InMemorySecretStore();
        for (var i = 0; i < values.Length; i++)
        {
            store.With(ResolverHarness.App, $"V{i}", values[i]);
        }

        var path = _folder.Write(Guid.NewGuid().ToString("N") + "-" + name, template);
        var result = await new SecretResolver(store).ResolveAsync(new ResolveRequest { Files = [path], DefaultApplication = ResolverHarness.App });
        ResolverHarness.AssertSucceeded(result);
        var output = File.ReadAllText(path);

        var decoded = decode(output);
        for (var i = 0; i < expectations.Count; i++)
        {
            var e = expectations[i];
            var value = values[e.ValueIndex];
            if (normalizeNewlines?.Invoke(e) == true)
            {
                value = HostileValues.NormalizeNewlines(value);
            }

            Assert.Equal(e.Prefix + value + e.Suffix, normalizeNewlines?.Invoke(e) == true ? HostileValues.NormalizeNewlines(decoded[i]) : decoded[i]);
        }

        // Outside the spans: the template's segments, in order, with only the written values between them.
        var segments = template.Split(PlaceholderPattern(values.Length), StringSplitOptions.None);
        var position = 0;
        Assert.StartsWith(segments[0], output, StringComparison.Ordinal);
        position = segments[0].Length;
        for (var s = 1; s < segments.Length; s++)
        {
            var next = output.IndexOf(segments[s], position, StringComparison.Ordinal);
            Assert.True(next >= position, $"Segment {s} of the template is not in the output.");
            Assert.DoesNotContain(Sentinel, output[position..next]);
            position = next + segments[s].Length;
        }

        Assert.Equal(output.Length, position);
        File.Delete(path);
    }

    private static string[] PlaceholderPattern(int count) => Enumerable.Range(0, count).Select(i => $"#{{secret:V{i}}}").ToArray();

    private static string BuildJson(int count, Random random, string nl, out List<Expectation> expectations)
    {
        expectations = [];
        var sb = new StringBuilder("{").Append(nl).Append("  // generated").Append(nl);
        var index = 0;
        var key = 0;
        while (index < count)
        {
            if (key > 0)
            {
                sb.Append(',').Append(nl);
            }

            var name = $"k{key++}";
            switch (random.Next(4))
            {
                case 0:
                    sb.Append(CultureInfo.InvariantCulture, $"  \"{name}\": {random.Next(1000)}");
                    break;
                case 1:
                    var nested = $"n{key}";
                    sb.Append(CultureInfo.InvariantCulture, $"  \"{name}\": {{ \"{nested}\": ");
                    AppendJsonString(sb, [name, nested], index++, random, expectations);
                    sb.Append(" /* c */ }");
                    break;
                case 2:
                    sb.Append(CultureInfo.InvariantCulture, $"  \"{name}\": [1, ");
                    AppendJsonString(sb, [name, "1"], index++, random, expectations);
                    sb.Append(", null]");
                    break;
                default:
                    sb.Append(CultureInfo.InvariantCulture, $"  \"{name}\": ");
                    AppendJsonString(sb, [name], index++, random, expectations);
                    break;
            }
        }

        return sb.Append(nl).Append('}').Append(nl).ToString();
    }

    private static void AppendJsonString(StringBuilder sb, string[] path, int valueIndex, Random random, List<Expectation> expectations)
    {
        var prefix = random.Next(2) == 0 ? string.Empty : "pre-";
        var suffix = Sentinel + (random.Next(2) == 0 ? string.Empty : "-post");
        sb.Append('"').Append(prefix).Append(CultureInfo.InvariantCulture, $"#{{secret:V{valueIndex}}}").Append(suffix).Append('"');
        expectations.Add(new Expectation(path, valueIndex, prefix, suffix));
    }

    private static string BuildXml(int count, Random random, string nl, out List<Expectation> expectations)
    {
        expectations = [];
        var sb = new StringBuilder("<?xml version=\"1.0\" encoding=\"utf-8\"?>").Append(nl).Append("<configuration>").Append(nl);
        for (var i = 0; i < count; i++)
        {
            var element = $"e{i}";
            var prefix = random.Next(2) == 0 ? string.Empty : "pre ";
            var suffix = Sentinel + (random.Next(2) == 0 ? string.Empty : " post");
            var placeholder = $"#{{secret:V{i}}}";
            switch (random.Next(3))
            {
                case 0:
                    var quote = random.Next(2) == 0 ? '"' : '\'';
                    sb.Append(CultureInfo.InvariantCulture, $"  <{element} other=\"x\" a={quote}{prefix}{placeholder}{suffix}{quote} />");
                    expectations.Add(new Expectation([element, "a"], i, prefix, suffix));
                    break;
                case 1:
                    sb.Append(CultureInfo.InvariantCulture, $"  <{element}>{prefix}{placeholder}{suffix}</{element}>");
                    expectations.Add(new Expectation([element], i, prefix, suffix));
                    break;
                default:
                    sb.Append(CultureInfo.InvariantCulture, $"  <!-- note --><{element}>{prefix}{placeholder}{suffix}<!-- #{{secret:Nope|bad}} --></{element}>");
                    expectations.Add(new Expectation([element], i, prefix, suffix));
                    break;
            }

            sb.Append(nl);
        }

        return sb.Append("</configuration>").Append(nl).ToString();
    }

    private static JsonElement Navigate(JsonElement element, string[] path)
    {
        foreach (var segment in path)
        {
            element = element.ValueKind == JsonValueKind.Array ? element[int.Parse(segment, CultureInfo.InvariantCulture)] : element.GetProperty(segment);
        }

        return element;
    }

    private sealed record Expectation(string[] Path, int ValueIndex, string Prefix, string Suffix);
}
