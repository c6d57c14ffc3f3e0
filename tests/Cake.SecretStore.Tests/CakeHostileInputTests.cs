using SecretStore.Testing.Logs;

namespace Cake.SecretStore.Tests;

/// <summary>
/// Issue 12 items 4 and 5 through the real Cake runner: a link to a folder in the publish tree is not followed,
/// and names that hold workflow commands reach Cake's log (and its exception text) escaped.
/// </summary>
[Collection(CakeCollection.Name)]
public sealed class CakeHostileInputTests(AddinFeed feed) : IDisposable
{
    private const string Value = "canary-hostile-cake-4e1f";
    private const string Json = "{ \"Db\": \"#{secret:Shop/Db}\" }";
    private readonly CakeWorkspace _workspace = new(feed);
    private readonly string _elsewhere = Directory.CreateTempSubdirectory("cake-secretstore-elsewhere-").FullName;

    public void Dispose()
    {
        _workspace.Dispose();
        Directory.Delete(_elsewhere, recursive: true);
    }

    [Fact]
    public async Task Globs_skip_a_linked_folder_and_hostile_names_are_logged_escaped_with_no_workflow_command()
    {
        await _workspace.SeedAsync("Shop", "Db", Value);
        var inside = _workspace.Write("publish/appsettings.json", Json);
        File.WriteAllText(Path.Combine(_elsewhere, "appsettings.json"), Json);
        Directory.CreateSymbolicLink(Path.Combine(_workspace.Root, "publish", "sub"), _elsewhere);
        _workspace.Write("bad/appsettings.json", "{ \"a\": \"#{secret:::stop-commands::tok/Db ##vso[task.prependpath]x}\" }");
        const string script = """
            #addin nuget:?package=Cake.SecretStore&version=0.1.0

            Task("Default").Does(() =>
            {
                SetSecret("::stop-commands::tok", "Name\u001B[2J##vso[task.setvariable variable=x]1", "canary-hostile-cake-4e1f", new SecretStoreSettings());
                var result = ResolveSecrets("./publish/**/appsettings.json");
                System.IO.File.WriteAllText("written.txt", result.FilesWritten.ToString());
                ResolveSecrets("./bad/appsettings.json");
            });

            RunTarget("Default");
            """;

        var result = _workspace.RunCake(script);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Equal("1", _workspace.Read("written.txt"));
        Assert.Contains(Value, File.ReadAllText(inside), StringComparison.Ordinal);
        Assert.Equal(Json, File.ReadAllText(Path.Combine(_elsewhere, "appsettings.json")));
        Assert.Contains("error SSB2001:", result.Output, StringComparison.Ordinal);
        Assert.Contains("\\x23#vso[task.prependpath]x", result.Output, StringComparison.Ordinal);
        Assert.Contains("\\x1B[2J\\x23#vso[task.setvariable", result.Output, StringComparison.Ordinal);
        Assert.Empty(WorkflowCommandScanner.FindCommands(result.Output));
        Assert.DoesNotContain("\u001B[2J", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(Value, result.Output, StringComparison.Ordinal);
    }
}
