namespace Cake.SecretStore.Tests;

/// <summary>
/// Issue 14 item 6 through the real Cake runner: a glob (or a GetFiles result) that finds nothing fails the alias
/// with SSB1009, as in MSBuild and the CLI, and <c>SecretStoreSettings.OptionalFiles</c> holds the entries that may
/// find nothing: skipped then, resolved like the others when they find a file. <c>SecretStoreSettings.Format</c> chooses
/// the files' format (issue 19).
/// </summary>
[Collection(CakeCollection.Name)]
public sealed class CakeOptionalFilesTests(AddinFeed feed) : IDisposable
{
    private const string Value = "canary-cake-optional-7c2d";

    private const string Script = CakeWorkspace.TryPrelude + """
        SecretStoreSettings Optional(params string[] files)
        {
            var settings = new SecretStoreSettings { DefaultApplication = "Shop" };
            foreach (var file in files) { settings.OptionalFiles.Add(file); }
            return settings;
        }

        Task("Default").Does(() =>
        {
            System.IO.File.WriteAllText("glob.txt", Try(() => ResolveSecrets("./publish/config/*.xml", Optional()).FilesWritten.ToString()));
            System.IO.File.WriteAllText("getfiles.txt", Try(() => ResolveSecrets(GetFiles("./publish/config/*.xml"), Optional()).FilesWritten.ToString()));
            System.IO.File.WriteAllText("exclusion.txt", Try(() => ResolveSecrets("./publish/appsettings.json", Optional("!./publish/web.config")).FilesWritten.ToString()));
            System.IO.File.WriteAllText("required.txt", Try(() => string.Join(",", GetRequiredSecrets("./publish/appsettings.json", Optional("./publish/config/*.xml", "./publish/appsettings.Production.json")).Select(s => s.Name))));
            System.IO.File.WriteAllText("optional.txt", Try(() => ResolveSecrets("./publish/appsettings.json", Optional("./publish/config/*.xml", "./publish/*.Staging.json", "./publish/absent.json")).FilesWritten.ToString()));
            System.IO.File.WriteAllText("format.txt", Try(() => ResolveSecrets("./publish/service.cfg", new SecretStoreSettings { DefaultApplication = "Shop", Format = "ini" }).FilesWritten.ToString()));
            System.IO.File.WriteAllText("badformat.txt", Try(() => ResolveSecrets("./publish/service.cfg", new SecretStoreSettings { DefaultApplication = "Shop", Format = "toml" }).FilesWritten.ToString()));
        });

        RunTarget("Default");
        """;

    private readonly CakeWorkspace _workspace = new(feed);

    public void Dispose() => _workspace.Dispose();

    [Fact]
    public async Task A_glob_or_GetFiles_that_finds_nothing_is_SSB1009_and_OptionalFiles_are_skipped_when_absent_and_resolved_when_present()
    {
        await _workspace.SeedAsync("Shop", "Db", Value);
        var json = _workspace.Write("publish/appsettings.json", """{ "Db": "#{secret:Db}" }""");
        var staging = _workspace.Write("publish/appsettings.Staging.json", """{ "Db": "#{secret:Db}" }""");
        var cfg = _workspace.Write("publish/service.cfg", "[Db]\nPassword = \"#{secret:Db}\"\n");

        var result = _workspace.RunCake(Script);

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Equal(
            $"error:SSB1009: The glob './publish/config/*.xml' matches no file in '{_workspace.Root}'. Fix: correct the glob (it is relative to that folder), or mark it optional if finding nothing is fine: MSBuild Optional=\"true\", Cake SecretStoreSettings.OptionalFiles, CLI --optional-file, action optional-files, template optionalFiles.",
            _workspace.Read("glob.txt"));
        Assert.StartsWith($"error:SSB1009: The file list is empty (a GetFiles glob that matched nothing?), so nothing would be resolved in '{_workspace.Root}'. ", _workspace.Read("getfiles.txt"), StringComparison.Ordinal);
        Assert.Equal("error:SSB0001: SecretStoreSettings.OptionalFiles '!./publish/web.config' is an exclusion, but an optional entry is a path or glob that may find no file. Fix: give the exclusion with the other files instead.", _workspace.Read("exclusion.txt"));
        Assert.Equal("ok:Db", _workspace.Read("required.txt"));

        // The failed calls wrote nothing; the last one resolved appsettings.json and the Staging file its optional glob found.
        Assert.Equal("ok:2", _workspace.Read("optional.txt"));
        Assert.Equal($$"""{ "Db": "{{Value}}" }""", File.ReadAllText(json));
        Assert.Equal($$"""{ "Db": "{{Value}}" }""", File.ReadAllText(staging));
        Assert.DoesNotContain(Value, result.Output, StringComparison.Ordinal);

        // Issue 19: SecretStoreSettings.Format reads the call's files as that format; a name that is none is SSB0001.
        Assert.Equal("ok:1", _workspace.Read("format.txt"));
        Assert.Equal($"[Db]\nPassword = \"{Value}\"\n", File.ReadAllText(cfg));
        Assert.StartsWith("error:SSB0001: SecretStoreSettings.Format 'toml' is not a file format; use one of json, xml, text, ini", _workspace.Read("badformat.txt"), StringComparison.Ordinal);
    }
}
