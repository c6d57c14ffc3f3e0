using SecretStore.Testing.Logs;

namespace SecretStore.Walkthrough.Tests;

/// <summary>
/// Issue 14's scripted first hour: fresh `dotnet new web` and `dotnet new console` apps outside the repository,
/// the packages from build/pack.sh's feed, `secretstore init` and `set`, a publish that fails on a deliberately
/// missing secret (the error and the CI annotations point at the project's own file and line), the fix, a green publish.
/// </summary>
[Collection(LocalFeedCollection.Name)]
public sealed class NewUserWalkthroughTests(LocalFeed feed)
{
    private const string ConnectionString = "Server=db;Password=walkthrough-Pa55!";
    private const string ApiToken = "tok_walkthrough_7f3a";

    [Fact]
    public async Task Web_app_missing_secret_points_at_the_source_then_the_fix_publishes()
    {
        var root = await NewUserSetup("web");
        await root.Ok("new", "web", "--name", "WebShop", "--output", "WebShop");
        var app = root.In("WebShop");
        await app.Ok("add", "package", "SecretStore.Build", "--version", feed.Version);
        const string production = "{\n  \"ConnectionStrings\": {\n    \"Default\": \"#{secret:ConnectionStrings.Default}\"\n  },\n  \"Payments\": { \"ApiToken\": \"#{secret:Payments.ApiToken}\" }\n}\n";
        app.Write("appsettings.Production.json", production);
        await root.SetSecret("WebShop/ConnectionStrings.Default", ConnectionString);

        // Payments.ApiToken is not in the store yet: GitHub Actions sees an error at the source file's line 5, column 30.
        var source = Path.Combine(app.Directory, "appsettings.Production.json");
        var publish = Path.Combine(root.Directory, "publish");
        var github = await app.DotNet(["publish", "-c", "Release", "-o", publish], new Dictionary<string, string?> { ["GITHUB_ACTIONS"] = "true" });

        Assert.False(github.Succeeded, github.ToString());
        Assert.Contains($"{source}(5,30): error SSB2001: Placeholder '#{{secret:Payments.ApiToken}}': secret 'WebShop/Payments.ApiToken' was not found. Fix: secretstore set WebShop/Payments.ApiToken", github.Output, StringComparison.Ordinal);
        var annotation = Assert.Single(github.Output.Split('\n').Select(CiCommandParser.ParseGitHub).OfType<CiCommand>());
        Assert.Equal("error", annotation.Name);
        Assert.Equal(source, annotation.Properties["file"]);
        Assert.Equal("5", annotation.Properties["line"]);
        Assert.Equal("30", annotation.Properties["col"]);
        Assert.Equal("SSB2001", annotation.Properties["title"]);
        // Fail closed: the publish copy keeps both placeholders, the value that was found is nowhere.
        Assert.Equal(production, File.ReadAllText(Path.Combine(publish, "appsettings.Production.json")));
        Assert.DoesNotContain(ConnectionString, github.Output, StringComparison.Ordinal);

        // The same publish on Azure Pipelines: a task.logissue at the same place.
        var azure = await app.DotNet(["publish", "-c", "Release", "-o", publish], new Dictionary<string, string?> { ["TF_BUILD"] = "True" });
        Assert.False(azure.Succeeded, azure.ToString());
        var issue = Assert.Single(azure.Output.Split('\n').Select(l => CiCommandParser.ParseAzure(l)).OfType<CiCommand>(), c => c.Name == "task.logissue");
        Assert.Equal("error", issue.Properties["type"]);
        Assert.Equal(source, issue.Properties["sourcepath"]);
        Assert.Equal("5", issue.Properties["linenumber"]);
        Assert.Equal("30", issue.Properties["columnnumber"]);
        Assert.Equal("SSB2001", issue.Properties["code"]);

        // The fix the message names, then a green publish with both values in the publish copy only.
        await root.SetSecret("WebShop/Payments.ApiToken", ApiToken);
        var green = await app.DotNet(["publish", "-c", "Release", "-o", publish], environment: null);

        Assert.True(green.Succeeded, green.ToString());
        Assert.Contains("1 file(s) written, 0 error(s)", green.Output, StringComparison.Ordinal);
        var published = File.ReadAllText(Path.Combine(publish, "appsettings.Production.json"));
        Assert.Contains($"\"Default\": \"{ConnectionString}\"", published, StringComparison.Ordinal);
        Assert.Contains($"\"ApiToken\": \"{ApiToken}\"", published, StringComparison.Ordinal);
        Assert.Equal(production, app.Read("appsettings.Production.json"));
        Assert.DoesNotContain(ConnectionString, green.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(ApiToken, green.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Console_app_is_told_to_publish_its_appsettings_then_resolves()
    {
        var root = await NewUserSetup("console");
        await root.Ok("new", "console", "--name", "Worker", "--output", "Worker");
        var app = root.In("Worker");
        await app.Ok("add", "package", "SecretStore.Build", "--version", feed.Version);
        app.Write("appsettings.json", "{\n  \"Queue\": { \"Password\": \"#{secret:Queue.Password}\" }\n}\n");
        await root.SetSecret("Worker/Queue.Password", ApiToken);
        var publish = Path.Combine(root.Directory, "publish");

        // `dotnet new console` does not publish appsettings.json: a warning says what to add, nothing is resolved.
        var first = await app.Ok("publish", "-c", "Release", "-o", publish);
        Assert.Contains("warning SSB1023", first.Output, StringComparison.Ordinal);
        Assert.Contains("<None Update=\"appsettings*.json\" CopyToPublishDirectory=\"PreserveNewest\" />", first.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(publish, "appsettings.json")));

        // The advice, pasted into the project as a user would.
        var project = Path.Combine(app.Directory, "Worker.csproj");
        File.WriteAllText(project, File.ReadAllText(project).Replace(
            "</Project>",
            "  <ItemGroup>\n    <None Update=\"appsettings*.json\" CopyToPublishDirectory=\"PreserveNewest\" />\n  </ItemGroup>\n</Project>",
            StringComparison.Ordinal));
        var second = await app.Ok("publish", "-c", "Release", "-o", publish);

        Assert.DoesNotContain("SSB1023", second.Output, StringComparison.Ordinal);
        Assert.Contains($"\"Password\": \"{ApiToken}\"", File.ReadAllText(Path.Combine(publish, "appsettings.json")), StringComparison.Ordinal);
        Assert.Contains("#{secret:Queue.Password}", app.Read("appsettings.json"), StringComparison.Ordinal);
        Assert.DoesNotContain(ApiToken, second.Output, StringComparison.Ordinal);
    }

    /// <summary>
    /// What docs/install.md has a user do once per solution folder: a nuget.config with the feed (mapped), the CLI as a
    /// local tool, and `secretstore init` (settings file, store file, keyring with its .gitignore).
    /// </summary>
    private async Task<UserShell> NewUserSetup(string name)
    {
        var root = new UserShell(feed, feed.NewWorkspace(name));
        await root.Ok("new", "tool-manifest");
        await root.Ok("tool", "install", "SecretStore.Tool", "--version", feed.Version, "--add-source", feed.FeedDirectory);
        root.Write("nuget.config", $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="secretstore-local" value="{feed.FeedDirectory}" />
              </packageSources>
              <packageSourceMapping>
                <packageSource key="secretstore-local"><package pattern="SecretStore.*" /></packageSource>
                <packageSource key="nuget.org"><package pattern="*" /></packageSource>
              </packageSourceMapping>
            </configuration>
            """);
        var init = await root.Ok("secretstore", "init");
        Assert.Contains("secretstore.json", init.Output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(root.Directory, ".secretstore", ".gitignore")));
        return root;
    }
}
