using System.Text;
using System.Text.Json;
using SecretStore.Diagnostics;
using SecretStore.Resolution;
using SecretStore.Resolution.Formats;
using SecretStore.Resolution.Reporting;
using SecretStore.Resolution.Syntax;
using SecretStore.Resolution.Text;
using SecretStore.Secrets;
using static SecretStore.Tests.Resolution.ResolverHarness;

namespace SecretStore.Tests.Resolution;

public sealed class ResolverBehaviourTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task One_bad_placeholder_in_the_fifth_of_ten_files_leaves_all_ten_untouched()
    {
        var store = new InMemorySecretStore().With(App, "Db", "value");
        var files = Enumerable.Range(1, 10)
            .Select(i => _folder.Write($"f{i}.json", i == 5 ? "{\"a\": \"#{secret:Db|bogus}\"}" : $"{{\"a{i}\": \"#{{secret:Db}}\"}}"))
            .ToList();
        var before = files.Select(File.ReadAllBytes).ToList();
        var stamps = files.Select(File.GetLastWriteTimeUtc).ToList();

        var result = await RunAsync(store, files);

        var error = SingleError(result);
        Assert.Equal(("SSB1002", files[4], 1, 8), (error.Code.Id, error.FilePath, error.Line, error.Column));
        Assert.Equal(0, result.FilesWritten);
        for (var i = 0; i < files.Count; i++)
        {
            Assert.Equal(before[i], File.ReadAllBytes(files[i]));
            Assert.Equal(stamps[i], File.GetLastWriteTimeUtc(files[i]));
        }

        Assert.Equal(files.Select(Path.GetFileName).Order(), Directory.GetFiles(_folder.Path).Select(Path.GetFileName).Order());
    }

    [Fact]
    public async Task Missing_secret_in_one_file_leaves_every_file_untouched_and_names_file_line_column_and_placeholder()
    {
        var store = new InMemorySecretStore().With(App, "Db", "value");
        var good = _folder.Write("good.txt", "A=#{secret:Db}");
        var bad = _folder.Write("bad.txt", "x\n  B=#{secret:Other/Missing|base64}");
        var result = await RunAsync(store, [good, bad]);
        var error = SingleError(result);
        Assert.Equal(("SSB2001", bad, 2, 5), (error.Code.Id, error.FilePath, error.Line, error.Column));
        Assert.Contains("#{secret:Other/Missing|base64}", error.Message, StringComparison.Ordinal);
        Assert.Equal("A=#{secret:Db}", _folder.Read("good.txt"));
    }

    [Fact]
    public async Task Listed_file_that_does_not_exist_is_an_error_and_nothing_is_written()
    {
        var good = _folder.Write("good.txt", "A=#{secret:Db}");
        var result = await RunAsync(new InMemorySecretStore().With(App, "Db", "v"), [good, _folder.Combine("nope.json")]);
        var error = SingleError(result);
        Assert.Equal(("SSB1009", _folder.Combine("nope.json")), (error.Code.Id, error.FilePath));
        Assert.Equal("A=#{secret:Db}", _folder.Read("good.txt"));
    }

    [Fact]
    public async Task File_without_placeholders_keeps_its_bytes_and_timestamp()
    {
        var stamp = new DateTime(2020, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        var plain = _folder.Write("plain.json", "{\"a\": \"no placeholder here, just #{other}\"}");
        File.SetLastWriteTimeUtc(plain, stamp);
        var other = _folder.Write("other.txt", "A=#{secret:Db}");
        var result = await RunAsync(new InMemorySecretStore().With(App, "Db", "v"), [plain, other]);
        AssertSucceeded(result);
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(plain));
        Assert.Equal(1, result.FilesWritten);
        Assert.Equal(2, result.FilesScanned);
        Assert.False(result.Report.Files[0].Written);
    }

    [Fact]
    public async Task Rewritten_file_keeps_its_permissions()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var path = _folder.Write("secret.env", "A=#{secret:Db}\n");
        const UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;
        File.SetUnixFileMode(path, mode);
        var result = await RunAsync(new InMemorySecretStore().With(App, "Db", "v"), [path]);
        AssertSucceeded(result);
        Assert.Equal("A=v\n", _folder.Read("secret.env"));
        Assert.Equal(mode, File.GetUnixFileMode(path));
        Assert.Single(Directory.GetFiles(_folder.Path));
    }

    [Fact]
    public async Task Symbolic_link_target_is_refused()
    {
        var real = _folder.Write("real.txt", "A=#{secret:Db}");
        var link = _folder.Combine("link.txt");
        File.CreateSymbolicLink(link, real);
        var result = await RunAsync(new InMemorySecretStore().With(App, "Db", "v"), [link]);
        Assert.Equal("SSB1017", SingleError(result).Code.Id);
        Assert.Equal("A=#{secret:Db}", _folder.Read("real.txt"));
    }

    [Fact]
    public async Task Each_distinct_secret_is_fetched_once_in_one_call_per_application()
    {
        var store = new InMemorySecretStore().With(App, "A", "1").With(App, "B", "2").With("Other", "C", "3");
        var files = new[]
        {
            _folder.Write("1.txt", "#{secret:A} #{secret:A} #{secret:App/B}"),
            _folder.Write("2.json", "{\"x\": \"#{secret:A}\", \"y\": \"#{secret:Other/C}\"}"),
            _folder.Write("3.xml", "<a b=\"#{secret:Other/C}\">#{secret:B}</a>"),
        };
        var result = await RunAsync(store, files);
        AssertSucceeded(result);
        Assert.Equal(2, store.GetManyCalls.Count);
        Assert.Equal([new SecretId(App, "A"), new SecretId(App, "B")], store.GetManyCalls[0]);
        Assert.Equal([new SecretId("Other", "C")], store.GetManyCalls[1]);
        Assert.Equal(0, store.GetCalls);
        Assert.Equal((7, 3), (result.PlaceholderCount, result.SecretCount));
    }

    [Fact]
    public async Task List_mode_reports_required_secrets_without_touching_the_store_or_files()
    {
        var store = new InMemorySecretStore();
        var path = _folder.Write("a.txt", "#{secret:B|optional} #{secret:Other/A} #{secret:B}");
        var result = await RunAsync(store, [path], ResolveMode.List);
        AssertSucceeded(result);
        Assert.Empty(store.GetManyCalls);
        Assert.Equal([new RequiredSecret(App, "B", false, 2), new RequiredSecret("Other", "A", false, 1)], result.Report.RequiredSecrets);
        Assert.All(result.Report.Files[0].Placeholders, p => Assert.Equal(PlaceholderOutcome.Listed, p.Outcome));
        Assert.Equal("#{secret:B|optional} #{secret:Other/A} #{secret:B}", _folder.Read("a.txt"));
    }

    [Fact]
    public async Task Verify_mode_resolves_everything_and_writes_nothing()
    {
        var store = new InMemorySecretStore().With(App, "Db", "v");
        var path = _folder.Write("a.xml", "<a>#{secret:Db}</a>");
        var ok = await RunAsync(store, [path], ResolveMode.Verify);
        AssertSucceeded(ok);
        Assert.Equal((0, true), (ok.FilesWritten, ok.Report.Files[0].Changed));
        Assert.Equal("<a>#{secret:Db}</a>", _folder.Read("a.xml"));
        Assert.Single(store.GetManyCalls);

        var bad = await RunAsync(new InMemorySecretStore().With(App, "Db", "a\0b"), [path], ResolveMode.Verify);
        Assert.Equal("SSB1005", SingleError(bad).Code.Id);
    }

    [Fact]
    public async Task Missing_optional_secret_keeps_the_placeholder_with_a_warning()
    {
        var path = _folder.Write("a.txt", "A=#{secret:Gone|optional}\nB=#{secret:Db}");
        var result = await RunAsync(new InMemorySecretStore().With(App, "Db", "v"), [path]);
        AssertSucceeded(result);
        var warning = Assert.Single(result.Diagnostics);
        Assert.Equal((DiagnosticSeverity.Warning, "SSB1013", 1, 3), (warning.Severity, warning.Code.Id, warning.Line, warning.Column));
        Assert.Equal("A=#{secret:Gone|optional}\nB=v", _folder.Read("a.txt"));
    }

    [Fact]
    public async Task Missing_optional_secret_is_an_error_when_optional_is_not_allowed()
    {
        var path = _folder.Write("a.txt", "A=#{secret:Gone|optional}");
        var result = await RunAsync(new InMemorySecretStore(), [path], configure: r => new() { Files = r.Files, DefaultApplication = App, AllowOptional = false });
        Assert.Equal("SSB2001", SingleError(result).Code.Id);
    }

    [Fact]
    public async Task Required_placeholders_missing_everywhere_is_an_error()
    {
        var path = _folder.Write("a.json", "{\"a\": 1}");
        var result = await RunAsync(new InMemorySecretStore(), [path], configure: r => new() { Files = r.Files, DefaultApplication = App, RequirePlaceholders = true });
        Assert.Equal("SSB1010", SingleError(result).Code.Id);
    }

    [Fact]
    public async Task Store_failure_is_a_coded_diagnostic_and_nothing_is_written()
    {
        var store = new InMemorySecretStore().With(App, "Db", "v");
        store.FailingApplications[App] = new SecretStoreException(DiagnosticCodes.AccessDenied, "Access denied to application 'App'.");
        var path = _folder.Write("a.txt", "A=#{secret:Db}");
        var result = await RunAsync(store, [path]);
        var error = SingleError(result);
        Assert.Equal(("SSB2007", path, 1, 3), (error.Code.Id, error.FilePath, error.Line, error.Column));
        Assert.Equal("A=#{secret:Db}", _folder.Read("a.txt"));
    }

    [Fact]
    public async Task Unexpected_store_exception_becomes_a_diagnostic_without_its_message()
    {
        var store = new InMemorySecretStore();
        store.FailingApplications[App] = new InvalidOperationException("hunter2");
        var path = _folder.Write("a.txt", "A=#{secret:Db}");
        var result = await RunAsync(store, [path]);
        var error = SingleError(result);
        Assert.Equal("SSB2005", error.Code.Id);
        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancellation_throws()
    {
        var path = _folder.Write("a.txt", "A=#{secret:Db}");
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new SecretResolver(new InMemorySecretStore()).ResolveAsync(new ResolveRequest { Files = [path], DefaultApplication = App }, cts.Token));
    }

    [Theory]
    [InlineData(TextEncodingKind.Utf8)]
    [InlineData(TextEncodingKind.Utf8Bom)]
    [InlineData(TextEncodingKind.Utf16LittleEndian)]
    [InlineData(TextEncodingKind.Utf16BigEndian)]
    public async Task Encoding_and_bom_are_kept(TextEncodingKind kind)
    {
        Encoding encoding = kind switch
        {
            TextEncodingKind.Utf8 => new UTF8Encoding(false),
            TextEncodingKind.Utf8Bom => new UTF8Encoding(true),
            TextEncodingKind.Utf16LittleEndian => new UnicodeEncoding(false, true),
            _ => new UnicodeEncoding(true, true),
        };
        const string template = "{\r\n  \"Pässword\": \"#{secret:Db}\" // ünïcode\r\n}\r\n";
        var path = _folder.Write("a.json", [.. encoding.GetPreamble(), .. encoding.GetBytes(template)]);
        var result = await RunAsync(new InMemorySecretStore().With(App, "Db", "🔑\"x"), [path]);
        AssertSucceeded(result);
        var expected = template.Replace("#{secret:Db}", "🔑\\\"x", StringComparison.Ordinal);
        Assert.Equal([.. encoding.GetPreamble(), .. encoding.GetBytes(expected)], File.ReadAllBytes(path));
        Assert.Equal(kind, result.Report.Files[0].Encoding);
    }

    [Fact]
    public async Task Files_without_a_marker_are_not_decoded_so_utf16_and_binary_files_pass_untouched()
    {
        var utf16 = _folder.Write("a.xml", [.. new UnicodeEncoding(false, true).GetPreamble(), .. Encoding.Unicode.GetBytes("<a>#</a>{")]);
        var binary = _folder.Write("b.bin", [0xFF, 0x00, 0xC3, 0x28, (byte)'#', 0x00, (byte)'{']);
        var result = await RunAsync(new InMemorySecretStore(), [utf16, binary]);
        AssertSucceeded(result);
        Assert.All(result.Report.Files, f => Assert.Equal((false, (TextEncodingKind?)null), (f.Changed, f.Encoding)));
    }

    [Fact]
    public async Task List_mode_report_json_names_required_secrets_only()
    {
        var path = _folder.Write("a.json", "{\"a\": \"#{secret:Db|optional}\"}");
        var reportPath = _folder.Combine("list.json");
        var result = await RunAsync(new InMemorySecretStore(), [path], ResolveMode.List, r => new() { Files = r.Files, DefaultApplication = App, Mode = ResolveMode.List, ReportPath = reportPath });
        AssertSucceeded(result);
        using var doc = JsonDocument.Parse(File.ReadAllText(reportPath));
        var required = Assert.Single(doc.RootElement.GetProperty("requiredSecrets").EnumerateArray());
        Assert.Equal((App, "Db", true), (required.GetProperty("application").GetString(), required.GetProperty("name").GetString(), required.GetProperty("optional").GetBoolean()));
        Assert.Equal("list", doc.RootElement.GetProperty("mode").GetString());
    }

    [Fact]
    public async Task Invalid_utf8_is_an_error_never_a_lossy_rewrite()
    {
        var path = _folder.Write("a.txt", [.. "line1\nA=#{secret:Db} "u8, 0xC3, 0x28]);
        var before = File.ReadAllBytes(path);
        var result = await RunAsync(new InMemorySecretStore().With(App, "Db", "v"), [path]);
        var error = SingleError(result);
        Assert.Equal(("SSB1011", 2), (error.Code.Id, error.Line));
        Assert.Equal(before, File.ReadAllBytes(path));
    }

    [Fact]
    public async Task Report_lists_metadata_per_placeholder_and_markdown_is_written_for_md()
    {
        var store = new InMemorySecretStore().With(App, "Db", "s3cr3t-value", revision: 7);
        var path = _folder.Write("a.config", "<configuration>\n  <add value=\"#{secret:Db|base64}\"/>\n</configuration>");
        var json = _folder.Combine("out/report.json");
        var md = _folder.Combine("out/report.md");
        var result = await RunAsync(store, [path], configure: r => new() { Files = r.Files, DefaultApplication = App, ReportPath = json });
        await RunAsync(store, [_folder.Write("b.txt", "#{secret:Db}")], configure: r => new() { Files = r.Files, DefaultApplication = App, ReportPath = md });
        AssertSucceeded(result);
        var p = Assert.Single(result.Report.Files[0].Placeholders);
        Assert.Equal((2, 15, App, "Db", 7L, InMemorySecretStore.KeyId, EscapeContext.XmlAttribute, PlaceholderModifiers.Base64), (p.Line, p.Column, p.Application, p.Name, p.Revision!.Value, p.KeyId, p.Context, p.Modifiers));
        var b64 = Convert.ToBase64String(Encoding.UTF8.GetBytes("s3cr3t-value"));
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        Assert.False(doc.RootElement.GetProperty("files")[0].GetProperty("placeholders")[0].TryGetProperty("valueSha256", out _));
        Assert.Equal("XmlAttribute", doc.RootElement.GetProperty("files")[0].GetProperty("placeholders")[0].GetProperty("context").GetString());
        foreach (var report in new[] { File.ReadAllText(json), File.ReadAllText(md) })
        {
            Assert.DoesNotContain("s3cr3t-value", report, StringComparison.Ordinal);
            Assert.DoesNotContain(b64, report, StringComparison.Ordinal);
            Assert.All(ValueDigests.Of("s3cr3t-value").Concat(ValueDigests.Of(b64)), d => Assert.DoesNotContain(d, report, StringComparison.Ordinal));
        }

        Assert.StartsWith("# Secret resolution report", File.ReadAllText(md), StringComparison.Ordinal);
    }

    [Fact]
    public async Task BeforeWrite_gets_every_value_form_before_any_file_is_written()
    {
        var store = new InMemorySecretStore().With(App, "Pem", "line-one\nline-two").With(App, "Pwd", "a\"b&c");
        var json = _folder.Write("a.json", "{\"pem\": \"#{secret:Pem}\", \"pwd\": \"#{secret:Pwd}\"}");
        var xml = _folder.Write("b.xml", "<a p=\"#{secret:Pwd}\">#{secret:Pwd|base64}</a>");
        IReadOnlyList<string>? forms = null;
        IReadOnlyDictionary<SecretId, IReadOnlyList<string>>? bySecret = null;
        string? jsonAtCallback = null;
        var result = await RunAsync(store, [json, xml], configure: r => new()
        {
            Files = r.Files,
            DefaultApplication = App,
            BeforeWrite = f =>
            {
                Assert.Null(forms);
                forms = f.Forms;
                bySecret = f.FormsBySecret;
                jsonAtCallback = File.ReadAllText(json);
                Assert.DoesNotContain("line-one", f.ToString(), StringComparison.Ordinal);
            },
        });
        AssertSucceeded(result);
        Assert.Equal("{\"pem\": \"#{secret:Pem}\", \"pwd\": \"#{secret:Pwd}\"}", jsonAtCallback);
        Assert.NotNull(forms);
        foreach (var expected in new[] { "line-one\nline-two", "line-one", "line-two", "line-one\\nline-two", "a\"b&c", "a\\\"b&c", "a&quot;b&amp;c", Convert.ToBase64String(Encoding.UTF8.GetBytes("a\"b&c")) })
        {
            Assert.Contains(expected, forms!);
        }

        // Grouped by secret, so a CI host can name the secret whose form it cannot mask.
        Assert.Equal([new SecretId(App, "Pem"), new SecretId(App, "Pwd")], bySecret!.Keys.OrderBy(id => id.Name, StringComparer.Ordinal));
        Assert.Contains("line-two", bySecret[new SecretId(App, "Pem")]);
        Assert.DoesNotContain("line-two", bySecret[new SecretId(App, "Pwd")]);
        Assert.Equal(forms!.Order(StringComparer.Ordinal), bySecret.Values.SelectMany(f => f).Distinct().Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_null_request_throws_ArgumentNullException_naming_it()
    {
        var error = await Assert.ThrowsAsync<ArgumentNullException>(() => new SecretResolver(new InMemorySecretStore()).ResolveAsync(null!));
        Assert.Equal("request", error.ParamName);
    }

    [Fact]
    public async Task A_request_without_a_file_list_throws_ArgumentNullException_naming_it()
    {
        var error = await Assert.ThrowsAsync<ArgumentNullException>(() => new SecretResolver(new InMemorySecretStore()).ResolveAsync(new ResolveRequest { Files = null! }));
        Assert.Equal("request.Files", error.ParamName);
    }

    [Fact]
    public async Task A_null_mapping_list_is_read_as_no_mappings()
    {
        var path = _folder.Write("a.txt", "A=#{secret:Db}");
        var result = await RunAsync(new InMemorySecretStore().With(App, "Db", "v"), [path], configure: r => new() { Files = r.Files, DefaultApplication = App, Mappings = null! });
        AssertSucceeded(result);
        Assert.Equal("A=v", _folder.Read("a.txt"));
    }

    [Fact]
    public async Task Listed_paths_that_differ_only_in_case_are_two_files_on_linux()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // Windows and macOS compare paths ignoring case.
        }

        var lower = _folder.Write("app.env", "A=#{secret:Db}");
        var upper = _folder.Write("APP.env", "B=#{secret:Db}");
        var result = await RunAsync(new InMemorySecretStore().With(App, "Db", "v"), [lower, upper]);
        AssertSucceeded(result);
        Assert.Equal((2, 2, 2), (result.FilesScanned, result.FilesWritten, result.PlaceholderCount));
        Assert.Equal([lower, upper], result.Report.Files.Select(f => f.Path));
        Assert.Equal(("A=v", "B=v"), (_folder.Read("app.env"), _folder.Read("APP.env")));
    }

    [Fact]
    public async Task A_cancelled_token_throws_even_when_no_listed_file_is_read()
    {
        // A missing file is never opened, so only the check before each listed path sees the token.
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        var request = new ResolveRequest { Files = [_folder.Combine("missing.env")], DefaultApplication = App };
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new SecretResolver(new InMemorySecretStore()).ResolveAsync(request, cts.Token));
    }

    [Fact]
    public async Task Required_secrets_are_ordered_by_application_then_by_name()
    {
        var path = _folder.Write("a.txt", "#{secret:C} #{secret:Other/B} #{secret:A} #{secret:B} #{secret:Other/A}");
        var result = await RunAsync(new InMemorySecretStore(), [path], ResolveMode.List);
        AssertSucceeded(result);
        Assert.Equal(
            [new RequiredSecret(App, "A", false, 1), new RequiredSecret(App, "B", false, 1), new RequiredSecret(App, "C", false, 1), new RequiredSecret("Other", "A", false, 1), new RequiredSecret("Other", "B", false, 1)],
            result.Report.RequiredSecrets);
    }

    [Fact]
    public async Task The_report_says_whether_the_run_succeeded()
    {
        var path = _folder.Write("a.txt", "A=#{secret:Db}");
        var failed = await RunAsync(new InMemorySecretStore(), [path], ResolveMode.Verify);
        var succeeded = await RunAsync(new InMemorySecretStore().With(App, "Db", "v"), [path], ResolveMode.Verify);
        Assert.Equal("SSB2001", SingleError(failed).Code.Id);
        Assert.False(failed.Report.Succeeded);
        AssertSucceeded(succeeded);
        Assert.True(succeeded.Report.Succeeded);
    }

    [Fact]
    public async Task BeforeWrite_is_not_called_in_verify_mode_or_on_error()
    {
        var called = false;
        var path = _folder.Write("a.txt", "#{secret:Db} #{secret:Missing}");
        await RunAsync(new InMemorySecretStore().With(App, "Db", "v"), [path], configure: r => new() { Files = r.Files, DefaultApplication = App, BeforeWrite = _ => called = true });
        await RunAsync(new InMemorySecretStore().With(App, "Db", "v").With(App, "Missing", "m"), [path], ResolveMode.Verify, r => new() { Files = r.Files, DefaultApplication = App, Mode = ResolveMode.Verify, BeforeWrite = _ => called = true });
        Assert.False(called);
    }
}
