using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using SecretStore.Build.Tests.Infrastructure;

namespace SecretStore.Build.Tests;

/// <summary>What a real `dotnet publish` of the ASP.NET Core sample produces.</summary>
[Collection(PackageCollection.Name)]
public sealed class WebAppPublishTests(WebAppPublish publish) : IClassFixture<WebAppPublish>, IAsyncLifetime
{
    private readonly WebAppPublish _publish = publish;

    public Task InitializeAsync()
    {
        Assert.True(_publish.FirstPublish.Succeeded, _publish.FirstPublish.ToString());
        return Task.CompletedTask;
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public void Publish_resolves_appsettings_json_with_json_escaping()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(_publish.PublishDirectory, "appsettings.json")));
        var root = json.RootElement;
        Assert.Equal(_publish.ConnectionString.Value, root.GetProperty("ConnectionStrings").GetProperty("Default").GetString());
        Assert.Equal(_publish.ApiToken.Value, root.GetProperty("Api").GetProperty("Token").GetString());
        // Values that are not placeholders keep their type and value.
        Assert.Equal(3, root.GetProperty("Api").GetProperty("RetryCount").GetInt32());
    }

    [Fact]
    public void Publish_resolves_environment_specific_appsettings()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(_publish.PublishDirectory, "appsettings.Production.json")));
        Assert.Equal(_publish.PaymentsKey.Value, json.RootElement.GetProperty("Payments").GetProperty("ApiKey").GetString());
    }

    [Fact]
    public void Publish_resolves_the_placeholder_that_the_web_Release_config_transform_inserted()
    {
        var webConfig = XDocument.Load(Path.Combine(_publish.PublishDirectory, "web.config"));
        var variables = webConfig.Descendants("environmentVariable").ToList();
        var smtp = Assert.Single(variables, v => (string?)v.Attribute("name") == "SMTP_PASSWORD");
        Assert.Equal(_publish.SmtpPassword.Value, (string?)smtp.Attribute("value"));
        // The original entry survives: the transform ran on the project's web.config, then we resolved.
        Assert.Single(variables, v => (string?)v.Attribute("name") == "ASPNETCORE_ENVIRONMENT");
    }

    [Fact]
    public void Project_sources_keep_their_placeholders()
    {
        Assert.Contains("#{secret:ConnectionStrings.Default}", File.ReadAllText(Path.Combine(_publish.Project.Directory, "appsettings.json")), StringComparison.Ordinal);
        Assert.Contains("#{secret:Smtp.Password}", File.ReadAllText(Path.Combine(_publish.Project.Directory, "web.Release.config")), StringComparison.Ordinal);
    }

    [Fact]
    public void Publish_logs_one_summary_with_counts()
    {
        var summaries = Regex.Matches(_publish.FirstPublish.Output, @"SSB0004: SecretStore resolve in '[^']+': \d+ file\(s\) read, (\d+) placeholder\(s\) naming (\d+) secret\(s\), (\d+) file\(s\) written, 0 error\(s\)\.");
        var summary = Assert.Single(summaries);
        Assert.Equal("4", summary.Groups[1].Value);
        Assert.Equal("4", summary.Groups[2].Value);
        Assert.Equal("3", summary.Groups[3].Value);
    }

    [Fact]
    public void Publishing_twice_gives_the_same_output()
    {
        Assert.True(_publish.SecondPublish.Succeeded, _publish.SecondPublish.ToString());
        var second = WebAppPublish.Snapshot(_publish.PublishDirectory);
        Assert.Equal(_publish.FirstOutput.Keys.Order(StringComparer.Ordinal), second.Keys.Order(StringComparer.Ordinal));
        foreach (var (path, bytes) in _publish.FirstOutput)
        {
            Assert.True(bytes.AsSpan().SequenceEqual(second[path]), $"{path} differs after the second publish.");
        }

        // The second publish resolved again from the sources' placeholders rather than finding nothing to do.
        Assert.Matches(new Regex(@"SSB0004: SecretStore resolve in '[^']+': \d+ file\(s\) read, 4 placeholder\(s\)"), _publish.SecondPublish.Output);
    }

    [Fact]
    public void No_secret_or_key_material_reaches_the_project_folder_bin_or_obj()
    {
        var scanner = _publish.Scanner();
        Assert.Empty(scanner.FindInDirectory(_publish.Project.Directory));
        // The scan can fail: the publish folder does hold the values.
        Assert.NotEmpty(scanner.FindInDirectory(_publish.PublishDirectory));
    }

    [Fact]
    public void No_secret_or_key_material_reaches_the_console_output()
    {
        var scanner = _publish.Scanner();
        Assert.Empty(scanner.FindInText(_publish.FirstPublish.Output, "first publish output"));
        Assert.Empty(scanner.FindInText(_publish.SecondPublish.Output, "second publish output"));
    }

    [Fact]
    public void No_secret_or_key_material_reaches_the_binary_log()
    {
        var scanner = _publish.Scanner();
        var replayed = File.ReadAllBytes(_publish.ReplayedLog);
        // The replayed log really is the diagnostic log of this publish: it shows the task and its inputs.
        var text = System.Text.Encoding.UTF8.GetString(replayed);
        Assert.Contains("SecretStoreResolvePublishOutput", text, StringComparison.Ordinal);
        Assert.Contains(WebAppPublish.PrivateKeyVariable, text, StringComparison.Ordinal);
        Assert.Empty(scanner.Find(replayed, "binlog replayed at diagnostic verbosity"));
        Assert.Empty(scanner.Find(LogReplay.Decompress(_publish.Binlog), "binlog event stream"));
    }
}
