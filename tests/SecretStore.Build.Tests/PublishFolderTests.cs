using SecretStore.Build.Tests.Infrastructure;

namespace SecretStore.Build.Tests;

/// <summary>
/// What a publish folder holds after the package is turned off or switched to Verify (issue 12, item 7), and a
/// publish folder inside the project folder (item 8). Each test has its own copy of samples/WebApp, so that
/// folders it leaves behind cannot change another test's project.
/// </summary>
[Collection(PackageCollection.Name)]
public sealed class PublishFolderTests(PackageFeed feed)
{
    private readonly TestSecret _connectionString = TestSecret.Create("WebApp", "ConnectionStrings.Default", "CnryFldDb", "\"<&>");
    private readonly TestSecret _apiToken = TestSecret.Create("WebApp", "Api.Token", "CnryFldApi");
    private readonly TestSecret _paymentsKey = TestSecret.Create("WebApp", "Payments.ApiKey", "CnryFldPay");
    private readonly TestSecret _smtpPassword = TestSecret.Create("WebApp", "Smtp.Password", "CnryFldSmtp");

    private IReadOnlyList<TestSecret> Secrets => [_connectionString, _apiToken, _paymentsKey, _smtpPassword];

    [Theory]
    [InlineData("-p:SecretStoreEnabled=false")]
    [InlineData("-p:SecretStoreMode=Verify")]
    public async Task Publishing_again_disabled_or_in_verify_mode_restores_the_placeholders_an_earlier_publish_resolved(string secondPublishProperty)
    {
        var (project, store) = await CreateAsync("WebApp-republish");
        var output = Path.Combine(project.WorkDirectory, "publish");

        var resolved = await project.PublishAsync(output, store.PublishProperties);
        Assert.True(resolved.Succeeded, resolved.ToString());
        Assert.Contains(_apiToken.Core, File.ReadAllText(Path.Combine(output, "appsettings.json")), StringComparison.Ordinal);

        var again = await project.PublishAsync(output, [.. store.PublishProperties, secondPublishProperty]);

        Assert.True(again.Succeeded, again.ToString());
        Assert.Empty(new SecretScanner(Secrets).FindInDirectory(output));
        Assert.Contains("#{secret:Api.Token}", File.ReadAllText(Path.Combine(output, "appsettings.json")), StringComparison.Ordinal);
        Assert.Contains("#{secret:Smtp.Password}", File.ReadAllText(Path.Combine(output, "web.config")), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-p:SecretStoreEnabled=false")]
    [InlineData("-p:SecretStoreResolveOnBuild=false")]
    public async Task Building_again_without_the_build_opt_in_restores_the_placeholders_in_bin(string secondBuildProperty)
    {
        var (project, store) = await CreateAsync("WebApp-rebuild");
        string[] build = ["build", project.ProjectFile, "-c", "Debug", "-nodeReuse:false", .. store.PublishProperties];
        var builtSettings = Path.Combine(project.Directory, "bin", "Debug", "net10.0", "appsettings.json");

        var resolved = await project.RunAsync([.. build, "-p:SecretStoreResolveOnBuild=true"]);
        Assert.True(resolved.Succeeded, resolved.ToString());
        Assert.Contains(_apiToken.Core, File.ReadAllText(builtSettings), StringComparison.Ordinal);

        var again = await project.RunAsync([.. build, secondBuildProperty]);

        Assert.True(again.Succeeded, again.ToString());
        Assert.Empty(new SecretScanner(Secrets).FindInDirectory(Path.Combine(project.Directory, "bin")));
        Assert.Contains("#{secret:Api.Token}", File.ReadAllText(builtSettings), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_publish_folder_inside_the_project_folder_is_refused_with_SSB0006_and_a_later_build_copies_no_value_into_bin()
    {
        var (project, store) = await CreateAsync("WebApp-out-in-project");

        // Relative to the project folder, as a user types it there.
        var publish = await project.PublishAsync("out", store.PublishProperties);

        Assert.False(publish.Succeeded, publish.ToString());
        Assert.Contains("error SSB0006: The publish folder", publish.Output, StringComparison.Ordinal);
        Assert.Contains("-o ../publish", publish.Output, StringComparison.Ordinal);
        Assert.Contains("SecretStoreAllowPublishDirInProject=true", publish.Output, StringComparison.Ordinal);

        var build = await project.RunAsync(["build", project.ProjectFile, "-c", "Debug", "-nodeReuse:false"]);
        Assert.True(build.Succeeded, build.ToString());
        Assert.Empty(new SecretScanner(Secrets).FindInDirectory(project.Directory));
    }

    [Fact]
    public async Task The_default_publish_folder_under_bin_and_an_opted_in_folder_in_the_project_are_resolved()
    {
        var (project, store) = await CreateAsync("WebApp-default-publish-dir");

        var publish = await project.RunAsync(["publish", project.ProjectFile, "-c", "Release", "-nodeReuse:false", .. store.PublishProperties]);
        Assert.True(publish.Succeeded, publish.ToString());
        Assert.Contains(_apiToken.Core, File.ReadAllText(Path.Combine(project.Directory, "bin", "Release", "net10.0", "publish", "appsettings.json")), StringComparison.Ordinal);

        var optedIn = await project.PublishAsync("out", [.. store.PublishProperties, "-p:SecretStoreAllowPublishDirInProject=true"]);
        Assert.True(optedIn.Succeeded, optedIn.ToString());
        Assert.Contains(_apiToken.Core, File.ReadAllText(Path.Combine(project.Directory, "out", "appsettings.json")), StringComparison.Ordinal);
    }

    private async Task<(SampleProject Project, TestStore Store)> CreateAsync(string scenario)
    {
        var project = SampleProject.Create(feed, "WebApp", scenario);
        var store = await TestStore.CreateAsync(Path.Combine(project.WorkDirectory, "store"), Secrets.Select(s => (s.Application, s.Name, s.Value)));
        return (project, store);
    }
}
