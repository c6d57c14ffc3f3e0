using System.Diagnostics;
using System.Globalization;
using System.Text;
using CsCheck;
using SecretStore.Resolution;
using SecretStore.Resolution.Formats;
using SecretStore.Testing;

namespace SecretStore.Tests.Resolution.Formats;

/// <summary>
/// Java .properties files (issue 19), read back by Java itself (<c>java PropertiesDump.java</c>, JDK 17) both ways Java
/// programs read them, <c>Properties.load(InputStream)</c> (ISO-8859-1) and <c>load(Reader)</c> in UTF-8: hostile
/// values land exactly in both, keys and comments stay, and every byte outside the written values is the template's.
/// </summary>
public sealed class PropertiesFormatTests : IDisposable
{
    private static readonly string Dump = RepositoryRoot.Combine("tests", "SecretStore.Tests", "Resolution", "Formats", "Java", "PropertiesDump.java");
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    /// <summary>Backslashes, separators, comment marks, quotes, line breaks, tabs, form feeds, spaces at the edges, Latin-1, BMP and astral text.</summary>
    private static readonly Gen<string> Hostile = Gen.OneOf(
        Gen.Char[' ', '~'].Array[1, 6].Select(a => new string(a)),
        Gen.Char["\\=:#! \t\f\r\n\"'{}$"].Array[1, 4].Select(a => new string(a)),
        Gen.Char['\u0080', '\u00FF'].Array[1, 3].Select(a => new string(a)),
        Gen.Char['\u0100', '\uD7FF'].Array[1, 3].Select(a => new string(a)),
        Gen.OneOf(Gen.Const("🔑"), Gen.Const("\\u0041"), Gen.Const("\\"), Gen.Const(" lead"), Gen.Const("trail "), Gen.Const("\u0000"), Gen.Const("\u2028")))
        .Array[0, 8].Select(string.Concat).Where(v => !v.Contains("#{secret", StringComparison.Ordinal) && !v.Contains("##{", StringComparison.Ordinal));

    [Fact]
    public async Task Hostile_values_read_back_exactly_in_Java_both_ways_and_every_other_byte_stays()
    {
        var cases = Gen.Select(Hostile, Gen.Int[0, 3], Gen.Bool).Array[60].Single();
        var templates = new List<(string Path, string Template, string Value, string Key, string Before, string After)>();
        for (var i = 0; i < cases.Length; i++)
        {
            var (value, shape, crlf) = cases[i];
            var nl = crlf ? "\r\n" : "\n";
            var (line, before, after) = shape switch
            {
                0 => ("db.password=#{secret:Db}", string.Empty, string.Empty),
                1 => ("db.url = jdbc:pg://h/#{secret:Db}?x=1", "jdbc:pg://h/", "?x=1"),
                2 => ("db.password : #{secret:Db}  ", string.Empty, "  "),
                _ => ("db.password   #{secret:Db}\\" + nl + "    -tail", string.Empty, "-tail"),
            };
            var template = $"# generated{nl}! also a comment #{{secret:Ignored}}{nl}app.name=Shop{nl}{line}{nl}other\\ key=x\\:y{nl}";
            var path = _folder.Write($"case{i}.properties", template);
            var store = new InMemorySecretStore().With(ResolverHarness.App, "Db", value);
            var result = await ResolverHarness.RunAsync(store, [path]);
            if (value.Length == 0 && shape == 2)
            {
                // Nothing written before "  ": Java would skip those spaces as the value's start. Refused, file untouched.
                Assert.Equal("SSB1005", ResolverHarness.SingleError(result).Code.Id);
                Assert.Equal(template, File.ReadAllText(path));
                continue;
            }

            Assert.True(result.Succeeded, $"shape {shape}, value {string.Concat(value.Select(c => ((int)c).ToString("x4", CultureInfo.InvariantCulture)))}: {string.Join(" | ", result.Diagnostics)}");
            templates.Add((path, template, value, "db." + (shape == 1 ? "url" : "password"), before, after));
        }

        var read = ReadWithJava(templates.Select(t => t.Path).ToList());
        for (var i = 0; i < templates.Count; i++)
        {
            var t = templates[i];
            foreach (var mode in new[] { "L", "U" })
            {
                var entries = read[(mode, i)];
                Assert.Equal(t.Before + t.Value + t.After, entries[t.Key]);
                Assert.Equal("Shop", entries["app.name"]);
                Assert.Equal("x:y", entries["other key"]);
                Assert.Equal(3, entries.Count);
            }

            var output = File.ReadAllText(t.Path);
            var at = t.Template.IndexOf("#{secret:Db}", StringComparison.Ordinal);
            Assert.StartsWith(t.Template[..at], output, StringComparison.Ordinal);
            Assert.EndsWith(t.Template[(at + "#{secret:Db}".Length)..], output, StringComparison.Ordinal);
            Assert.True(output.All(c => c < 0x80), "The written value is ASCII, Latin-1 or UTF-8 alike.");
        }
    }

    [Theory]
    [InlineData("db.#{secret:Db}=x\n", 1, "in a .properties key")]
    [InlineData("db.password=\\#{secret:Db}\n", 1, "a backslash right before it")]
    [InlineData("a=1\nk=#{secret:Db\\\n  }\n", 2, "not closed")]
    public async Task A_placeholder_outside_a_value_is_refused_and_nothing_is_written(string template, int line, string why)
    {
        var path = _folder.Write("refused.properties", template);
        var result = await ResolverHarness.RunAsync(new InMemorySecretStore().With(ResolverHarness.App, "Db", "v"), [path]);

        var error = ResolverHarness.SingleError(result);
        Assert.Equal(line, error.Line);
        Assert.Contains(why, error.Message, StringComparison.Ordinal);
        Assert.Equal(template, File.ReadAllText(path));
    }

    [Fact]
    public async Task A_malformed_unicode_escape_is_SSB1012_naming_the_line_and_nothing_is_written()
    {
        var template = "a=#{secret:Db}\nb=\\u12G4\n";
        var path = _folder.Write("malformed.properties", template);
        var result = await ResolverHarness.RunAsync(new InMemorySecretStore().With(ResolverHarness.App, "Db", "v"), [path]);

        var error = ResolverHarness.SingleError(result);
        Assert.Equal("SSB1012", error.Code.Id);
        Assert.Equal(2, error.Line);
        Assert.Equal(template, File.ReadAllText(path));
    }

    [Fact]
    public async Task A_UTF16_properties_file_is_SSB1012_since_Properties_load_does_not_read_it_and_nothing_is_written()
    {
        var bytes = new System.Text.UnicodeEncoding(true, true).GetPreamble().Concat(new System.Text.UnicodeEncoding(true, false).GetBytes("a=#{secret:Db}\n")).ToArray();
        var path = _folder.Write("utf16.properties", bytes);
        var result = await ResolverHarness.RunAsync(new InMemorySecretStore().With(ResolverHarness.App, "Db", "v"), [path]);

        var error = ResolverHarness.SingleError(result);
        Assert.Equal("SSB1012", error.Code.Id);
        Assert.Contains("Properties.load does not read", error.Message, StringComparison.Ordinal);
        Assert.Equal(bytes, File.ReadAllBytes(path));
    }

    [Fact]
    public async Task A_key_given_twice_is_SSB1012_since_Java_keeps_the_last_and_nothing_is_written()
    {
        // Red team round 11, F8: k=#{secret} then k=2 resolved, and Java read 2: the secret never reached the app.
        var template = "k=#{secret:Db}\nother=1\nk=2\n";
        var path = _folder.Write("twice.properties", template);
        var result = await ResolverHarness.RunAsync(new InMemorySecretStore().With(ResolverHarness.App, "Db", "v"), [path]);

        var error = ResolverHarness.SingleError(result);
        Assert.Equal("SSB1012", error.Code.Id);
        Assert.Equal(3, error.Line);
        Assert.Contains("given twice", error.Message, StringComparison.Ordinal);
        Assert.Equal(template, File.ReadAllText(path));
    }

    [Fact]
    public async Task The_literal_modifier_writes_a_hash_as_a_unicode_escape_and_raw_that_would_change_the_value_is_refused()
    {
        var literal = _folder.Write("literal.properties", "a=#{secret:Db|literal}\n");
        var raw = _folder.Write("raw.properties", "a=#{secret:Db|raw}\n");
        var store = new InMemorySecretStore().With(ResolverHarness.App, "Db", "x#{secret:Other}\\n");

        var literalResult = await ResolverHarness.RunAsync(store, [literal]);
        var rawResult = await ResolverHarness.RunAsync(new InMemorySecretStore().With(ResolverHarness.App, "Db", "back\\slash"), [raw]);

        ResolverHarness.AssertSucceeded(literalResult);
        Assert.Equal("a=x\\u0023{secret:Other}\\\\n\n", File.ReadAllText(literal));
        Assert.Equal("SSB1005", ResolverHarness.SingleError(rawResult).Code.Id);
        Assert.Equal("a=#{secret:Db|raw}\n", File.ReadAllText(raw));
    }

    /// <summary>Runs Java over the files; (mode, file index) to the entries, key to value.</summary>
    private static Dictionary<(string Mode, int File), Dictionary<string, string>> ReadWithJava(List<string> files)
    {
        var start = new ProcessStartInfo("java") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Dump);
        files.ForEach(start.ArgumentList.Add);
        using var java = Process.Start(start)!;
        var output = java.StandardOutput.ReadToEnd();
        var errors = java.StandardError.ReadToEnd();
        java.WaitForExit();
        Assert.True(java.ExitCode == 0, errors);
        var read = new Dictionary<(string, int), Dictionary<string, string>>();
        for (var f = 0; f < files.Count; f++)
        {
            read[("L", f)] = new(StringComparer.Ordinal);
            read[("U", f)] = new(StringComparer.Ordinal);
        }

        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split('\t');
            read[(parts[0], int.Parse(parts[1], CultureInfo.InvariantCulture))][Unhex(parts[2])] = Unhex(parts[3]);
        }

        return read;
    }

    private static string Unhex(string hex) => hex == "-" ? string.Empty
        : new string([.. Enumerable.Range(0, hex.Length / 4).Select(i => (char)Convert.ToInt32(hex.Substring(i * 4, 4), 16))]);
}
