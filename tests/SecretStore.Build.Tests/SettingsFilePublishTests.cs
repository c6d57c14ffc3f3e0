using System.Text.Json;
using System.Text.RegularExpressions;
using SecretStore.Build.Tests.Infrastructure;

namespace SecretStore.Build.Tests;

/// <summary>
/// Real publishes of the console sample driven by a <c>secretstore.json</c> above the project (found by walking up,
/// like global.json) instead of SecretStore* properties; and the package added to a project without placeholders.
/// </summary>
[Collection(PackageCollection.Name)]
public sealed class SettingsFilePublishTests(PackageFeed feed)
{
    [Fact]
    public async Task A_project_without_placeholders_publishes_with_the_package_and_no_store_settings_at_all()
    {
        var project = PlainWorkerApp("WorkerApp-no-placeholders");

        var publish = await project.PublishAsync(Path.Combine(project.WorkDirectory, "publish"));

        Assert.True(publish.Succeeded, publish.ToString());
        Assert.DoesNotContain("SSB0003", publish.Output, StringComparison.Ordinal);
        Assert.Equal("""{ "Storage": { "Bucket": "worker-output" } }""", File.ReadAllText(Path.Combine(project.WorkDirectory, "publish", "appsettings.json")));
    }

    [Fact]
    public async Task The_environment_chosen_by_SecretStoreEnvironment_or_EnvironmentName_picks_its_store_and_an_unknown_one_is_SSB1022()
    {
        var project = PlainWorkerApp("WorkerApp-settings-file");
        File.WriteAllText(Path.Combine(project.Directory, "appsettings.json"), """{ "Db": "#{secret:Db}" }""");
        var development = await TestStore.CreateAsync(Path.Combine(project.WorkDirectory, "dev"), [("WorkerApp", "Db", "canary-dev-value-31")]);
        var production = await TestStore.CreateAsync(Path.Combine(project.WorkDirectory, "prod"), [("WorkerApp", "Db", "canary-prod-value-47")]);
        File.WriteAllText(Path.Combine(project.WorkDirectory, "secretstore.json"), $$"""
            {
              // Relative to this file's folder.
              "environments": {
                "Development": { "storage": "file:{{Relative(project, development.StoreFile)}}", "protection": "rsa:{{Relative(project, development.KeyringDirectory)}}" },
                "Production": { "storage": "file:{{Relative(project, production.StoreFile)}}", "protection": "rsa:{{Relative(project, production.KeyringDirectory)}}" }
              }
            }
            """);

        var chosen = await project.PublishAsync(Path.Combine(project.WorkDirectory, "out-prod"), ["-p:SecretStoreEnvironment=Production", "-v:n"]);
        var derived = await project.PublishAsync(Path.Combine(project.WorkDirectory, "out-dev"), ["-p:EnvironmentName=Development"]);
        var unknown = await project.PublishAsync(Path.Combine(project.WorkDirectory, "out-staging"), ["-p:SecretStoreEnvironment=Staging"]);

        Assert.True(chosen.Succeeded, chosen.ToString());
        Assert.Equal("canary-prod-value-47", Db(Path.Combine(project.WorkDirectory, "out-prod")));
        Assert.Contains("(environment 'Production')", chosen.Output, StringComparison.Ordinal);
        // Issue 14 item 4: at normal verbosity each file written is listed with its count, never its values.
        Assert.Contains("SecretStore: appsettings.json: 1 placeholder(s) resolved.", chosen.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("SecretStore: WorkerApp.dll.config:", chosen.Output, StringComparison.Ordinal);
        Assert.True(derived.Succeeded, derived.ToString());
        Assert.Equal("canary-dev-value-31", Db(Path.Combine(project.WorkDirectory, "out-dev")));
        Assert.False(unknown.Succeeded, unknown.ToString());
        Assert.Matches(new Regex(@"error SSB1022: .*'Staging'"), unknown.Output);
        Assert.Contains("Development, Production", unknown.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("canary-", chosen.Output + derived.Output + unknown.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_console_project_whose_appsettings_json_is_not_published_warns_SSB1023_naming_it_and_the_fix()
    {
        // Issue 14 item 4, the console-app case: the default globs find nothing in the publish folder because the
        // project does not copy appsettings.json there. The publish succeeds (nothing to resolve) but says so.
        var project = PlainWorkerApp("WorkerApp-not-published");
        File.Delete(Path.Combine(project.Directory, "App.config"));
        File.WriteAllText(Path.Combine(project.Directory, "appsettings.json"), """{ "Db": "#{secret:Db}" }""");
        var csproj = File.ReadAllText(project.ProjectFile);
        File.WriteAllText(project.ProjectFile, Regex.Replace(csproj, @"<None Update=""appsettings.json""[^>]*/>", string.Empty));
        var store = await TestStore.CreateAsync(Path.Combine(project.WorkDirectory, "store"), [("WorkerApp", "Db", "canary-unpublished-58")]);

        var publish = await project.PublishAsync(Path.Combine(project.WorkDirectory, "publish"), store.PublishProperties);

        Assert.True(publish.Succeeded, publish.ToString());
        Assert.False(File.Exists(Path.Combine(project.WorkDirectory, "publish", "appsettings.json")));
        Assert.Matches(new Regex(@"warning SSB1023: No file in '[^']+publish/' matched the config files \(appsettings\*\.json, web\.config, \*\.dll\.config, \*\.exe\.config\); nothing was resolved\. The project folder has appsettings\.json, but the publish folder does not\. Fix: add <None Update=""appsettings\*\.json"" CopyToPublishDirectory=""PreserveNewest"" />"), publish.Output);
        Assert.DoesNotContain("canary-", publish.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_SecretStoreConfigFile_glob_that_matches_nothing_fails_the_publish_with_SSB1009_unless_it_is_Optional()
    {
        // Issue 14 item 6: the same rule as the CLI and Cake. The defaults are optional (a project without one of them
        // publishes), an item the project adds is required unless it says Optional="true".
        var project = PlainWorkerApp("WorkerApp-unmatched-glob");
        File.WriteAllText(Path.Combine(project.Directory, "appsettings.json"), """{ "Db": "#{secret:Db}" }""");
        var store = await TestStore.CreateAsync(Path.Combine(project.WorkDirectory, "store"), [("WorkerApp", "Db", "canary-unmatched-61")]);
        var csproj = File.ReadAllText(project.ProjectFile);
        File.WriteAllText(project.ProjectFile, csproj.Replace("</Project>", """<ItemGroup><SecretStoreConfigFile Include="config/%2A.xml" /></ItemGroup></Project>""", StringComparison.Ordinal));
        var output = Path.Combine(project.WorkDirectory, "publish-required");

        var required = await project.PublishAsync(output, store.PublishProperties);

        Assert.False(required.Succeeded, required.ToString());
        Assert.Contains($"error SSB1009: The glob 'config/*.xml' matches no file in '{output}{Path.DirectorySeparatorChar}'. Fix: correct the glob (it is relative to that folder), or mark it optional if finding nothing is fine: MSBuild Optional=\"true\"", required.Output, StringComparison.Ordinal);
        Assert.Equal("""{ "Db": "#{secret:Db}" }""", File.ReadAllText(Path.Combine(output, "appsettings.json")));

        File.WriteAllText(project.ProjectFile, csproj.Replace("</Project>", """<ItemGroup><SecretStoreConfigFile Include="config/%2A.xml" Optional="true" /></ItemGroup></Project>""", StringComparison.Ordinal));
        output = Path.Combine(project.WorkDirectory, "publish-optional");

        var optional = await project.PublishAsync(output, store.PublishProperties);

        Assert.True(optional.Succeeded, optional.ToString());
        Assert.DoesNotContain("SSB1009", optional.Output, StringComparison.Ordinal);
        Assert.Equal("""{ "Db": "canary-unmatched-61" }""", File.ReadAllText(Path.Combine(output, "appsettings.json")));
        Assert.DoesNotContain("canary-", required.Output + optional.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_ini_item_is_read_as_INI_and_Format_metadata_chooses_INI_for_another_extension()
    {
        // Issue 19: the defaults stay appsettings/web.config; an item adds an INI file, and Format="ini" reads a .cfg as one.
        var project = PlainWorkerApp("WorkerApp-ini");
        File.WriteAllText(Path.Combine(project.Directory, "settings.ini"), "[Db]\nPassword = #{secret:Db}\n");
        File.WriteAllText(Path.Combine(project.Directory, "service.cfg"), "[Db]\nPassword = #{secret:Db}\n");
        var store = await TestStore.CreateAsync(Path.Combine(project.WorkDirectory, "store"), [("WorkerApp", "Db", " canary-ini-44 ")]);
        var csproj = File.ReadAllText(project.ProjectFile);
        File.WriteAllText(project.ProjectFile, csproj.Replace("</Project>", """
            <ItemGroup>
              <None Update="settings.ini;service.cfg" CopyToPublishDirectory="PreserveNewest" />
              <SecretStoreConfigFile Include="settings.ini" />
              <SecretStoreConfigFile Include="service.cfg" Format="ini" />
            </ItemGroup>
            </Project>
            """, StringComparison.Ordinal));
        var output = Path.Combine(project.WorkDirectory, "publish");

        var publish = await project.PublishAsync(output, store.PublishProperties);

        Assert.True(publish.Succeeded, publish.ToString());
        Assert.Equal("[Db]\nPassword = \" canary-ini-44 \"\n", File.ReadAllText(Path.Combine(output, "settings.ini")));
        Assert.Equal("[Db]\nPassword = \" canary-ini-44 \"\n", File.ReadAllText(Path.Combine(output, "service.cfg")));
        Assert.DoesNotContain("canary-", publish.Output, StringComparison.Ordinal);

        File.WriteAllText(project.ProjectFile, csproj.Replace("</Project>", """<ItemGroup><None Update="service.cfg" CopyToPublishDirectory="PreserveNewest" /><SecretStoreConfigFile Include="service.cfg" Format="toml" /></ItemGroup></Project>""", StringComparison.Ordinal));
        var wrong = await project.PublishAsync(Path.Combine(project.WorkDirectory, "publish-wrong"), store.PublishProperties);

        Assert.False(wrong.Succeeded);
        Assert.Contains("error SSB0001: The Format metadata of SecretStoreConfigFile 'service.cfg' 'toml' is not a file format; use one of json, xml, text, ini", wrong.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_yaml_item_resolves_Kubernetes_manifests_in_the_publish_output_with_the_tasks_own_YamlDotNet()
    {
        // Issue 19: YAML files are added by an item (docs/msbuild.md); the task loads YamlDotNet from the package's tasks folder.
        var project = PlainWorkerApp("WorkerApp-yaml");
        Directory.CreateDirectory(Path.Combine(project.Directory, "deploy"));
        const string Manifest = "# the app's secret\napiVersion: v1\nkind: Secret\nstringData:\n  password: '#{secret:Db}'\n  cert: |\n    #{secret:Cert}\n---\nkind: ConfigMap\n";
        File.WriteAllText(Path.Combine(project.Directory, "deploy", "secret.yaml"), Manifest);
        var store = await TestStore.CreateAsync(Path.Combine(project.WorkDirectory, "store"), [("WorkerApp", "Db", "it's: canary-yaml-45"), ("WorkerApp", "Cert", "canary-line-1\ncanary-line-2")]);
        var csproj = File.ReadAllText(project.ProjectFile);
        File.WriteAllText(project.ProjectFile, csproj.Replace("</Project>", """
            <ItemGroup>
              <None Update="deploy/*.yaml" CopyToPublishDirectory="PreserveNewest" />
              <SecretStoreConfigFile Include="deploy/%2A.yaml" />
            </ItemGroup>
            </Project>
            """, StringComparison.Ordinal));
        var output = Path.Combine(project.WorkDirectory, "publish");

        var publish = await project.PublishAsync(output, store.PublishProperties);

        Assert.True(publish.Succeeded, publish.ToString());
        Assert.Equal(
            "# the app's secret\napiVersion: v1\nkind: Secret\nstringData:\n  password: 'it''s: canary-yaml-45'\n  cert: |\n    canary-line-1\n    canary-line-2\n---\nkind: ConfigMap\n",
            File.ReadAllText(Path.Combine(output, "deploy", "secret.yaml")));
        Assert.Equal(Manifest, File.ReadAllText(Path.Combine(project.Directory, "deploy", "secret.yaml")));
        Assert.DoesNotContain("canary-", publish.Output, StringComparison.Ordinal);
    }

    /// <summary>WorkerApp with neither placeholders nor mappings.</summary>
    [Fact]
    public async Task With_a_lock_a_store_writers_rollback_fails_the_publish_with_SSB2020_and_SecretStoreUpdateLock_moves_it()
    {
        // Issue 17: the lock is enforced by the publish itself, not only by the CLI.
        var project = PlainWorkerApp("WorkerApp-lock");
        File.WriteAllText(Path.Combine(project.Directory, "appsettings.json"), """{ "Db": "#{secret:Db}" }""");
        var store = await TestStore.CreateAsync(Path.Combine(project.WorkDirectory, "store"), [("WorkerApp", "Db", "canary-lock-old-72"), ("WorkerApp", "Db", "canary-lock-new-73")]);
        var lockFile = Path.Combine(project.Directory, "secretstore.lock.json");

        var locking = await project.PublishAsync(Path.Combine(project.WorkDirectory, "out-lock"), [.. store.PublishProperties, "-p:SecretStoreUpdateLock=true"]);
        Assert.True(locking.Succeeded, locking.ToString());
        Assert.True(File.Exists(lockFile), locking.ToString());
        Assert.Contains("\"revision\": 2", File.ReadAllText(lockFile), StringComparison.Ordinal);

        // A store writer puts revision 1's record back as the current one.
        var root = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(store.StoreFile))!.AsObject();
        var first = root["history"]!.AsArray().Single(e => (long)e!["Revision"]! == 1)!;
        var current = root["secrets"]!.AsArray().Single()!;
        current["Envelope"] = first["Envelope"]!.GetValue<string>();
        current["Revision"] = 1;
        File.WriteAllText(store.StoreFile, root.ToJsonString());
        var output = Path.Combine(project.WorkDirectory, "out-rolled-back");

        var refused = await project.PublishAsync(output, store.PublishProperties);

        Assert.False(refused.Succeeded, refused.ToString());
        Assert.Matches(new Regex(@"appsettings\.json\(1,\d+\): error SSB2020: .*'WorkerApp/Db' is at revision 1 in the store, below revision 2"), refused.Output);
        Assert.Equal("""{ "Db": "#{secret:Db}" }""", File.ReadAllText(Path.Combine(output, "appsettings.json")));
        Assert.DoesNotContain("canary-", locking.Output + refused.Output + File.ReadAllText(lockFile), StringComparison.Ordinal);
    }

    private SampleProject PlainWorkerApp(string scenario)
    {
        var project = SampleProject.Create(feed, "WorkerApp", scenario);
        File.WriteAllText(Path.Combine(project.Directory, "appsettings.json"), """{ "Storage": { "Bucket": "worker-output" } }""");
        File.WriteAllText(Path.Combine(project.Directory, "App.config"), """<?xml version="1.0" encoding="utf-8"?><configuration><appSettings><add key="QueueName" value="orders" /></appSettings></configuration>""");
        var csproj = File.ReadAllText(project.ProjectFile);
        File.WriteAllText(project.ProjectFile, Regex.Replace(csproj, @"<SecretStoreMapping [^>]*/>", string.Empty));
        return project;
    }

    private static string Relative(SampleProject project, string path) => Path.GetRelativePath(project.WorkDirectory, path).Replace('\\', '/');

    private static string? Db(string publishDirectory)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(publishDirectory, "appsettings.json")));
        return json.RootElement.GetProperty("Db").GetString();
    }
}
