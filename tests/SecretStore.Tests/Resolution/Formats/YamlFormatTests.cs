using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using CsCheck;
using SecretStore.Resolution;
using SecretStore.Resolution.Formats;
using YamlDotNet.RepresentationModel;

namespace SecretStore.Tests.Resolution.Formats;

/// <summary>
/// YAML files (issue 19): hostile values in every scalar style land exactly, read back by two real readers (YamlDotNet,
/// a YAML 1.2 reader, and PyYAML, a YAML 1.1 reader, through <c>Python/yaml_dump.py</c>), or are refused with a coded
/// error naming the place and never the value; comments, anchors, document markers and key order stay byte for byte.
/// </summary>
public sealed class YamlFormatTests : IDisposable
{
    private const string Placeholder = "#{secret:Db}";
    private static readonly string Dump = RepositoryRoot.Combine("tests", "SecretStore.Tests", "Resolution", "Formats", "Python", "yaml_dump.py");

    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    /// <summary>Quotes, backslashes, line breaks, ': ', '#', '---', '${', YAML indicators, numbers and booleans, Unicode.</summary>
    private static readonly Gen<string> Hostile = Gen.OneOf(
        Gen.Char[' ', '~'].Array[1, 6].Select(a => new string(a)),
        Gen.Char["\\'\"#:-&*!|>%@`,[]{}? \t\r\n"].Array[1, 3].Select(a => new string(a)),
        Gen.Char['\u00A0', '\uD7FF'].Array[1, 3].Select(a => new string(a)),
        Gen.Char['\u0001', '\u001F'].Select(c => c.ToString()),
        Gen.OneOf(
            Gen.Const("🔑"), Gen.Const("${HOME}"), Gen.Const(": "), Gen.Const(" #"), Gen.Const("---"), Gen.Const("..."), Gen.Const("true"),
            Gen.Const("123"), Gen.Const("0x1F"), Gen.Const("null"), Gen.Const("~"), Gen.Const("yes"), Gen.Const("\u2028"), Gen.Const("\u0085"),
            Gen.Const("\uFEFF"), Gen.Const("\u007F"), Gen.Const("\r\n"), Gen.Const("\n\n"), Gen.Const(" lead"), Gen.Const("trail "), Gen.Const("- item")))
        .Array[0, 6].Select(string.Concat).Where(v => !v.Contains("#{secret", StringComparison.Ordinal) && !v.Contains("##{", StringComparison.Ordinal));

    /// <summary>One place per scalar style: the file, and what a reader gets at <c>Path</c> for a value.</summary>
    public sealed record Place(string Name, string Template, string[] Path, Func<string, string> Expected, Func<string, bool> MayRefuse);

    private static readonly Func<string, bool> Never = _ => false;
    private static readonly Func<string, bool> Always = _ => true;

    private static readonly Place[] Places =
    [
        new("double-quoted", "# settings\ndb:\n  password: \"#{secret:Db}\" # note\n  user: app\n", ["db", "password"], v => v, Never),
        // Alone on its line, an empty value leaves a blank line, which YAML folds into a line break: refused.
        new("double-quoted, multi-line", "msg: \"first line\n  #{secret:Db}\n  last\"\n", ["msg"], v => "first line " + v + " last", v => v.Length == 0),
        new("single-quoted, whole", "password: '#{secret:Db}'\nport: 8080\n", ["password"], v => v, Never),
        new("single-quoted, part", "url: 'https://#{secret:Db}/it''s'\n", ["url"], v => "https://" + v + "/it's", Never),
        new("plain, part", "url: https://#{secret:Db}/x # c\n", ["url"], v => "https://" + v + "/x", Never),
        new("single-quoted in a flow sequence", "hosts: [a, 'x#{secret:Db}', c]\n", ["hosts", "1"], v => "x" + v, Never),
        new("literal block", "cert: |\n  -----BEGIN-----\n  #{secret:Db}\n  -----END-----\nnext: 1\n", ["cert"], v => "-----BEGIN-----\n" + v + "\n-----END-----\n", Always),
        new("folded block", "text: >-\n  start #{secret:Db} end\n\n  more\nnext: 1\n", ["text"], v => "start " + v + " end\nmore", Always),
        new("second document, sequence", "kind: A\n---\n- name: x\n  value: \"#{secret:Db}\"\n...\n", ["1", "0", "value"], v => v, Never),
    ];

    [Fact]
    public async Task A_hostile_value_reads_back_exactly_in_every_scalar_style_in_both_readers_or_is_refused_and_nothing_is_written()
    {
        var written = new List<(string File, Place Place, string Value)>();
        await Gen.Select(Hostile, Gen.Int[0, Places.Length - 1], Gen.Bool).SampleAsync(async (value, which, crlf) =>
        {
            var place = Places[which];
            var template = crlf ? place.Template.Replace("\n", "\r\n", StringComparison.Ordinal) : place.Template;
            var path = _folder.Write(Guid.NewGuid().ToString("N") + ".yaml", template);
            var result = await ResolverHarness.RunAsync(new InMemorySecretStore().With(ResolverHarness.App, "Db", value), [path]);
            var output = File.ReadAllText(path);
            if (!result.Succeeded)
            {
                var error = ResolverHarness.SingleError(result);
                Assert.True(place.MayRefuse(value) || value.Contains('\0', StringComparison.Ordinal), $"{place.Name}: {Hex(value)} refused: {error}");
                Assert.Equal("SSB1005", error.Code.Id);
                Assert.Equal(template, output);
                Assert.True(value.Length < 3 || !error.Message.Contains(value, StringComparison.Ordinal), error.Message);
                return;
            }

            var read = ReadScalar(output, place.Path);
            Assert.True(read == place.Expected(value), $"{place.Name}: {Hex(value)} was read back as {Hex(read ?? "(none)")} from {output}");
            AssertOnlyTheScalarChanged(template, output);
            written.Add((path, place, value));
        }, iter: 600, threads: 1);

        AssertPyYamlReads(written.Select(w => (w.File, w.Place.Path, w.Place.Expected(w.Value))).ToList());
    }

    [Theory]
    [InlineData("port: \"#{secret:Db}\"\n", "8080", "port: \"8080\"\n")]
    [InlineData("url: https://#{secret:Db}/x\n", "h0st.example", "url: https://h0st.example/x\n")]
    [InlineData("url: https://#{secret:Db}/x\n", "a: b", "url: \"https://a: b/x\"\n")]
    [InlineData("n: 80#{secret:Db}\n", "80", "n: \"8080\"\n")]
    [InlineData("flag: '#{secret:Db}'\n", "it's", "flag: 'it''s'\n")]
    [InlineData("flag: '#{secret:Db}'\n", "two\nlines", "flag: \"two\\nlines\"\n")]
    [InlineData("key: |\n  begin\n  #{secret:Db}\n  end\n", "l1\n  l2\nl3", "key: |\n  begin\n  l1\n    l2\n  l3\n  end\n")]
    [InlineData("key: >\n  #{secret:Db}\n", "a\nb", "key: >\n  a\n\n  b\n")]
    [InlineData("pass: \"#{secret:Db|literal}\"\n", "a#b", "pass: \"a\\x23b\"\n")]
    public async Task A_value_is_written_in_its_scalars_style_or_a_safe_switch_of_it(string template, string value, string expected)
    {
        var path = _folder.Write(Guid.NewGuid().ToString("N") + ".yml", template);
        var result = await ResolverHarness.RunAsync(new InMemorySecretStore().With(ResolverHarness.App, "Db", value), [path]);

        ResolverHarness.AssertSucceeded(result);
        Assert.Equal(FileFormat.Yaml, result.Report.Files[0].Format);
        Assert.Equal(expected, File.ReadAllText(path));
    }

    [Fact]
    public async Task Comments_anchors_aliases_document_markers_and_key_order_stay_byte_for_byte()
    {
        const string Template = "%YAML 1.2\n---\n# Helm values #{secret:InAComment}\ndefaults: &defaults   # shared\n  timeout: 30\n  password: \"#{secret:Db}\"\n"
            + "zeta: 1\nalpha:\n  <<: *defaults\n  name: !!str 'x'\n  list:\n    - &first one\n    - *first\n...\n---\nsecond: { a: 1, b: [2, 3] }  # flow\n";
        var path = _folder.Write("values.yaml", Template);

        var result = await ResolverHarness.RunAsync(new InMemorySecretStore().With(ResolverHarness.App, "Db", "p\"w: #x"), [path]);

        ResolverHarness.AssertSucceeded(result);
        Assert.Equal(Template.Replace("#{secret:Db}", "p\\\"w: #x", StringComparison.Ordinal), File.ReadAllText(path));
        Assert.Equal("p\"w: #x", ReadScalar(File.ReadAllText(path), ["0", "defaults", "password"]));
    }

    [Theory]
    [InlineData("42", YamlNodeType.Scalar)]
    [InlineData("true", YamlNodeType.Scalar)]
    [InlineData("{\"host\":\"db\",\"ports\":[1,2],\"tls\":{\"on\":true}}", YamlNodeType.Mapping)]
    [InlineData("[\"a\",\"b: c\",\"\\u2028#\"]", YamlNodeType.Sequence)]
    public async Task The_json_modifier_writes_a_typed_flow_value_in_place_of_the_quoted_scalar(string json, YamlNodeType type)
    {
        var path = _folder.Write(Guid.NewGuid().ToString("N") + ".yaml", "a:\n  value: \"#{secret:Db|json}\" # typed\n  other: [x, '#{secret:Db|json}']\n");

        var result = await ResolverHarness.RunAsync(new InMemorySecretStore().With(ResolverHarness.App, "Db", json), [path]);

        ResolverHarness.AssertSucceeded(result);
        var output = File.ReadAllText(path);
        var stream = new YamlStream();
        stream.Load(new StringReader(output));
        var a = (YamlMappingNode)((YamlMappingNode)stream.Documents[0].RootNode)["a"];
        Assert.Equal(type, a["value"].NodeType);
        Assert.Equal(type, ((YamlSequenceNode)a["other"])[1].NodeType);
        Assert.EndsWith(" # typed\n  other: [x, " + JsonCompact(json) + "]\n", output, StringComparison.Ordinal);
        using var read = JsonDocument.Parse(ToJson(a["value"]));
        using var want = JsonDocument.Parse(json);
        Assert.True(JsonElement.DeepEquals(want.RootElement, read.RootElement), output);
    }

    [Fact]
    public async Task A_json_string_beyond_the_BMP_is_written_as_the_character_so_PyYAML_reads_it_whole()
    {
        // Red team round 12, 5: "\uD83D\uDE00" in the flow value was two lone surrogates to PyYAML.
        var path = _folder.Write(Guid.NewGuid().ToString("N") + ".yaml", "k: \"#{secret:Db|json}\"\n");
        var result = await ResolverHarness.RunAsync(new InMemorySecretStore().With(ResolverHarness.App, "Db", "{\"a\":\"😀\",\"b\":\"\\ud83d\\ude00 \\\"q\\\"\"}"), [path]);

        ResolverHarness.AssertSucceeded(result);
        Assert.Equal("k: {\"a\":\"😀\",\"b\":\"😀 \\\"q\\\"\"}\n", File.ReadAllText(path));
        AssertPyYamlReads([(path, ["k", "a"], "😀"), (path, ["k", "b"], "😀 \"q\"")]);
    }

    [Fact]
    public async Task A_mapping_writes_the_scalar_at_a_configuration_path_in_every_document()
    {
        var path = _folder.Write("app.yaml", "ConnectionStrings:\n  Default: placeholder # set at publish\nServices:\n  - name: a\n    token: 'x'\n---\nconnectionstrings:\n  default: \"old\"\n");
        var result = await ResolverHarness.RunAsync(
            new InMemorySecretStore().With(ResolverHarness.App, "Db", "Server=db; Password=p@ss:1 #2").With(ResolverHarness.App, "Token", "t'k"),
            [path],
            configure: r => new ResolveRequest
            {
                Files = r.Files,
                DefaultApplication = r.DefaultApplication,
                Mappings = [new SecretMapping { ConfigurationPath = "ConnectionStrings:Default", Secret = "Db" }, new SecretMapping { ConfigurationPath = "Services:0:Token", Secret = "Token" }],
            });

        ResolverHarness.AssertSucceeded(result);
        Assert.Equal(
            "ConnectionStrings:\n  Default: \"Server=db; Password=p@ss:1 #2\" # set at publish\nServices:\n  - name: a\n    token: 't''k'\n---\nconnectionstrings:\n  default: \"Server=db; Password=p@ss:1 #2\"\n",
            File.ReadAllText(path));
    }

    [Theory]
    [InlineData("a:\n\tb: \"#{secret:Db}\"\n", "v", "SSB1012", 2, "tab")]
    [InlineData("a: \"#{secret:Db}\"\nb: 1\na: 2\n", "v", "SSB1012", 3, "given twice")]
    [InlineData("a: \"#{secret:Db}\"\nb: [1, 2\n", "v", "SSB1012", 0, "not valid YAML")]
    [InlineData("a: &pw \"#{secret:Db}\"\nb: *pw\n", "v", "SSB1005", 1, "alias")]
    [InlineData("x: 1\n#{secret:Db}: v\n", "v", "SSB1005", 2, "comment")]
    [InlineData("x: 1\n\"#{secret:Db}\": v\n", "v", "SSB1005", 2, "mapping key")]
    [InlineData("password: #{secret:Db}\n", "v", "SSB1005", 1, "comment")]
    [InlineData("password: \"#{secret:Db}\"\n", "nul\0", "SSB1005", 1, "NUL")]
    [InlineData("password: \"#{secret:Db}\"\n", "(lone surrogate)", "SSB1005", 1, "surrogate")]
    [InlineData("n: x#{secret:Db|json}\n", "1", "SSB1005", 1, "json")]
    [InlineData("n: \"#{secret:Db|json}\"\n", "{\"a\":1,\"b\":{\"c\":1,\"c\":2}}", "SSB1005", 1, "same key twice")]
    [InlineData("key: |\n  #{secret:Db}\n", " lead\nx", "SSB1005", 2, "block scalar's first line")]
    [InlineData("pair: a#{secret:Db}\n  continued\n", "x: y", "SSB1005", 1, "plain")]
    [InlineData("a: \"#{secret:Db}\"\nb: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\n", "v", "SSB1012", 2, "nested deeper than 256")]
    // Red team round 11, kept: F1 a block at indentation 0 (a value line '---' started a document YamlDotNet did not see),
    // F3 tags deciding the type, F7 an indentation indicator or a value leaving a line of only spaces.
    [InlineData("--- |\n#{secret:Db}\n", "a\n---\nkind: Evil\nevil: 1", "SSB1005", 2, "indentation 0")]
    [InlineData("|\n#{secret:Db}\n", "a\n--- x", "SSB1005", 2, "indentation 0")]
    [InlineData("a: !!int \"#{secret:Db}\"\n", "12", "SSB1005", 1, "explicit tag")]
    [InlineData("b: !!binary '#{secret:Db}'\n", "abc", "SSB1005", 1, "explicit tag")]
    [InlineData("c: ! \"#{secret:Db}\"\n", "true", "SSB1005", 1, "explicit tag")]
    [InlineData("d: !<tag:yaml.org,2002:bool> \"#{secret:Db}\"\n", "maybe", "SSB1005", 1, "explicit tag")]
    [InlineData("x: |2\n   #{secret:Db}\nzz: 1\n", "", "SSB1005", 2, "indentation indicator")]
    [InlineData("x: |\n  a\n   #{secret:Db}\nzz: 1\n", "", "SSB1005", 3, "only spaces")]
    [InlineData("x: |\n  a #{secret:Db}\nzz: 1\n", "b\n   \nc", "SSB1005", 2, "only spaces")]
    [InlineData("x: |\n  #{secret:Db}  \nzz: 1\n", "b\n", "SSB1005", 2, "only spaces")]
    // Red team round 12, kept: 4 keys equal to a reader but not as text, 6 a |json lone surrogate (was SSB0099) and NUL.
    [InlineData("a:\n  yes: \"#{secret:Db}\"\n  true: decoy\n", "v", "SSB1012", 3, "given twice")]
    [InlineData("b:\n  True: \"#{secret:Db}\"\n  \"true\": decoy\n", "v", "SSB1012", 3, "given twice")]
    [InlineData("c:\n  ~: \"#{secret:Db}\"\n  null: decoy\n", "v", "SSB1012", 3, "given twice")]
    [InlineData("d:\n  1: \"#{secret:Db}\"\n  1.0: decoy\n", "v", "SSB1012", 3, "given twice")]
    [InlineData("e:\n  0x1: \"#{secret:Db}\"\n  \"1\": decoy\n", "v", "SSB1012", 3, "given twice")]
    // Red team round 13, kept: keys one key to Python across types (True == 1), base 60, timestamps, NaN; to JavaScript readers NaN, Infinity, null as "".
    [InlineData("true: \"#{secret:Db}\"\n1: x\n", "v", "SSB1012", 2, "given twice")]
    [InlineData("no: \"#{secret:Db}\"\n0.0: x\n", "v", "SSB1012", 2, "given twice")]
    [InlineData("90.0: \"#{secret:Db}\"\n1:30.0: x\n", "v", "SSB1012", 2, "given twice")]
    [InlineData("3600: \"#{secret:Db}\"\n1:00:00: x\n", "v", "SSB1012", 2, "given twice")]
    [InlineData("2001-01-01T00:00:00Z: \"#{secret:Db}\"\n2001-01-01 00:00:00+00:00: x\n", "v", "SSB1012", 2, "given twice")]
    [InlineData(".nan: \"#{secret:Db}\"\n.NaN: x\n", "v", "SSB1012", 2, "given twice")]
    [InlineData("NaN: \"#{secret:Db}\"\n.nan: x\n", "v", "SSB1012", 2, "given twice")]
    [InlineData("-Infinity: \"#{secret:Db}\"\n-.inf: x\n", "v", "SSB1012", 2, "given twice")]
    [InlineData("\"\": \"#{secret:Db}\"\n~: x\n", "v", "SSB1012", 2, "given twice")]
    [InlineData("0: \"#{secret:Db}\"\n-0: x\n", "v", "SSB1012", 2, "given twice")]
    [InlineData(".inf: \"#{secret:Db}\"\n1e400: x\n", "v", "SSB1012", 2, "given twice")]
    [InlineData("k: \"#{secret:Db|json}\"\n", "\"\\ud800\"", "SSB1005", 1, "lone surrogate")]
    [InlineData("k: \"#{secret:Db|json}\"\n", "\"a\\u0000b\"", "SSB1005", 1, "NUL")]
    [InlineData("pass: \"#{secret:Db|raw}\"\n", "\"\nadded: key\nb: \"", "SSB1008", 1, "shape")]
    public async Task Bad_input_is_a_coded_error_naming_the_place_never_the_value_and_nothing_is_written(string template, string value, string code, int line, string why)
    {
        var path = _folder.Write(Guid.NewGuid().ToString("N") + ".yaml", template);
        value = value == "(lone surrogate)" ? "\uD800x" : value; // InlineData cannot carry one
        var result = await ResolverHarness.RunAsync(new InMemorySecretStore().With(ResolverHarness.App, "Db", value), [path]);

        var error = ResolverHarness.SingleError(result);
        Assert.Equal(code, error.Code.Id);
        if (line > 0)
        {
            Assert.Equal(line, error.Line);
        }

        Assert.Contains(why, error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(path, error.FilePath);
        Assert.DoesNotContain("added", error.Message, StringComparison.Ordinal);
        Assert.Equal(template, File.ReadAllText(path));
    }

    [Fact]
    public async Task The_example_of_docs_config_formats_md_resolves_as_its_comments_say()
    {
        var doc = File.ReadAllText(RepositoryRoot.Combine("docs", "config-formats.md"));
        var start = doc.IndexOf("```yaml\n", StringComparison.Ordinal) + "```yaml\n".Length;
        var example = doc[start..doc.IndexOf("```", start, StringComparison.Ordinal)];
        var path = _folder.Write("secret.yaml", example);
        var store = new InMemorySecretStore()
            .With(ResolverHarness.App, "Db", "p\"w\\d").With(ResolverHarness.App, "DbUser", "two\nlines").With(ResolverHarness.App, "Host", "a: b")
            .With(ResolverHarness.App, "Cert", "line 1\nline 2").With(ResolverHarness.App, "Limits", "{\"cpu\":\"500m\",\"memory\":\"1Gi\"}");

        var result = await ResolverHarness.RunAsync(store, [path]);

        ResolverHarness.AssertSucceeded(result);
        var output = File.ReadAllText(path);
        Assert.Equal("p\"w\\d", ReadScalar(output, ["stringData", "password"]));
        Assert.Equal("two\nlines", ReadScalar(output, ["stringData", "user"]));
        Assert.Equal("https://a: b/api", ReadScalar(output, ["stringData", "url"]));
        Assert.Equal("line 1\nline 2\n", ReadScalar(output, ["stringData", "cert"]));
        Assert.Contains("  url: \"https://a: b/api\"", output, StringComparison.Ordinal);
        Assert.Contains("  limits: {\"cpu\":\"500m\",\"memory\":\"1Gi\"}", output, StringComparison.Ordinal);
        Assert.Contains("#{secret:Ignored}", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tagged_scalar_is_no_mapping_target_but_a_str_tagged_one_is()
    {
        var path = _folder.Write(Guid.NewGuid().ToString("N") + ".yaml", "tok: !!binary aGk=\nname: !!str old\n");
        var result = await ResolverHarness.RunAsync(
            new InMemorySecretStore().With(ResolverHarness.App, "Db", "abc"),
            [path],
            configure: r => new ResolveRequest { Files = r.Files, DefaultApplication = r.DefaultApplication, Mappings = [new SecretMapping { ConfigurationPath = "tok", Secret = "Db" }, new SecretMapping { ConfigurationPath = "name", Secret = "Db" }] });

        Assert.Contains(result.Diagnostics, d => d.Code.Id == "SSB1014" && d.Message.Contains("'tok'", StringComparison.Ordinal));
        Assert.Equal("tok: !!binary aGk=\nname: !!str old\n", File.ReadAllText(path));
    }

    [Fact]
    public async Task An_escape_that_starts_a_comment_is_the_comments_text_and_stays()
    {
        // Red team round 11, F6: '##{' right after ' #' was turned into '#{' in the comment; the next resolve then failed.
        const string Template = "# rotate: ##{secret:Db}\na: x ##{secret:Db}\n##{secret:Db}\nb: \"#{secret:Db}\"\n";
        var path = _folder.Write(Guid.NewGuid().ToString("N") + ".yaml", Template);

        var result = await ResolverHarness.RunAsync(new InMemorySecretStore().With(ResolverHarness.App, "Db", "v"), [path]);

        ResolverHarness.AssertSucceeded(result);
        Assert.Equal(Template.Replace("\"#{secret:Db}\"", "\"v\"", StringComparison.Ordinal), File.ReadAllText(path));
        ResolverHarness.AssertSucceeded(await ResolverHarness.RunAsync(new InMemorySecretStore().With(ResolverHarness.App, "Db", "v"), [path]));
    }

    [Fact]
    public async Task Json_numbers_with_an_exponent_are_written_so_that_YAML_1_1_readers_read_the_same_number()
    {
        // Red team round 11, F4: PyYAML read 1e3 as the string "1e3"; YAML 1.1 takes a float only with a '.' and a signed exponent.
        var path = _folder.Write(Guid.NewGuid().ToString("N") + ".yaml", "limits: \"#{secret:Db|json}\"\n");
        var result = await ResolverHarness.RunAsync(new InMemorySecretStore().With(ResolverHarness.App, "Db", "{\"max\":1e3,\"ratio\":2.5e-1,\"min\":-1E-3,\"n\":7,\"f\":0.5}"), [path]);

        ResolverHarness.AssertSucceeded(result);
        Assert.Equal("limits: {\"max\":1.0e+3,\"ratio\":2.5e-1,\"min\":-1.0E-3,\"n\":7,\"f\":0.5}\n", File.ReadAllText(path));
        var start = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Dump);
        start.ArgumentList.Add(path);
        using var python = Process.Start(start)!;
        var stdout = python.StandardOutput.ReadToEnd();
        python.WaitForExit();
        using var read = JsonDocument.Parse(stdout);
        var limits = read.RootElement[0].GetProperty("docs")[0].GetProperty("limits");
        Assert.Equal(JsonValueKind.Number, limits.GetProperty("max").ValueKind);
        Assert.Equal(1000.0, limits.GetProperty("max").GetDouble());
        Assert.Equal(-0.001, limits.GetProperty("min").GetDouble());
        Assert.Equal(0.25, limits.GetProperty("ratio").GetDouble());
    }

    [Fact]
    public async Task The_format_can_be_chosen_by_hand_for_a_file_without_a_yaml_extension()
    {
        var path = _folder.Write("values.tpl", "a: \"#{secret:Db}\"\n");
        var result = await ResolverHarness.RunAsync(new InMemorySecretStore().With(ResolverHarness.App, "Db", "q\""), [path], configure: r => new ResolveRequest { Files = r.Files, DefaultApplication = r.DefaultApplication, Formats = new Dictionary<string, FileFormat> { [Path.GetFullPath(path)] = FileFormat.Yaml } });

        ResolverHarness.AssertSucceeded(result);
        Assert.Equal("a: \"q\\\"\"\n", File.ReadAllText(path));
    }

    /// <summary>Everything before the first changed character and after the last one is the template's, and the change stays within one scalar's lines.</summary>
    private static void AssertOnlyTheScalarChanged(string template, string output)
    {
        var at = template.IndexOf(Placeholder, StringComparison.Ordinal);
        var lineStart = template.LastIndexOf('\n', at) + 1;
        Assert.StartsWith(template[..lineStart], output, StringComparison.Ordinal);
        var lineEnd = template.IndexOf('\n', at);
        var tail = template[(lineEnd + 1)..];
        Assert.EndsWith(tail, output, StringComparison.Ordinal);
    }

    private static string? ReadScalar(string yaml, string[] path)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var (document, rest) = char.IsAsciiDigit(path[0][0]) && stream.Documents.Count > 1 ? (int.Parse(path[0], CultureInfo.InvariantCulture), path[1..]) : (0, path);
        YamlNode node = stream.Documents[document].RootNode;
        foreach (var segment in rest)
        {
            node = node is YamlSequenceNode sequence ? sequence[int.Parse(segment, CultureInfo.InvariantCulture)] : ((YamlMappingNode)node)[segment];
        }

        return (node as YamlScalarNode)?.Value;
    }

    /// <summary>PyYAML, in one process for all the files, reads each written value exactly too.</summary>
    private static void AssertPyYamlReads(List<(string File, string[] Path, string Expected)> cases)
    {
        Assert.NotEmpty(cases);
        var start = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Dump);
        foreach (var (file, _, _) in cases)
        {
            start.ArgumentList.Add(file);
        }

        using var python = Process.Start(start)!;
        var stdout = python.StandardOutput.ReadToEnd();
        var stderr = python.StandardError.ReadToEnd();
        python.WaitForExit();
        Assert.True(python.ExitCode == 0, stderr);
        using var read = JsonDocument.Parse(stdout);
        for (var i = 0; i < cases.Count; i++)
        {
            var (file, path, expected) = cases[i];
            var entry = read.RootElement[i];
            Assert.False(entry.TryGetProperty("error", out var error), $"PyYAML refused {File.ReadAllText(file)}: {error}");
            var docs = entry.GetProperty("docs");
            var (document, rest) = char.IsAsciiDigit(path[0][0]) && docs.GetArrayLength() > 1 ? (int.Parse(path[0], CultureInfo.InvariantCulture), path[1..]) : (0, path);
            var node = docs[document];
            foreach (var segment in rest)
            {
                node = node.ValueKind == JsonValueKind.Array ? node[int.Parse(segment, CultureInfo.InvariantCulture)] : node.GetProperty(segment);
            }

            Assert.True(node.ValueKind == JsonValueKind.String && node.GetString() == expected, $"PyYAML read {node} for {Hex(expected)} from {File.ReadAllText(file)}");
        }
    }

    private static string JsonCompact(string json)
    {
        using var document = JsonDocument.Parse(json);
        return JsonSerializer.Serialize(document.RootElement);
    }

    /// <summary>A YAML node as JSON (plain scalars typed by YAML 1.2's core schema), to compare a json-modifier value.</summary>
    private static string ToJson(YamlNode node) => node switch
    {
        YamlMappingNode m => "{" + string.Join(",", m.Children.Select(c => JsonSerializer.Serialize(((YamlScalarNode)c.Key).Value) + ":" + ToJson(c.Value))) + "}",
        YamlSequenceNode s => "[" + string.Join(",", s.Children.Select(ToJson)) + "]",
        YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain, Value: var v } => v!,
        YamlScalarNode { Value: var v } => JsonSerializer.Serialize(v),
        _ => "null",
    };

    private static string Hex(string text) => string.Concat(text.Select(c => ((int)c).ToString("x4", CultureInfo.InvariantCulture)));
}
