using SecretStore.Cli.Tests.Infrastructure;

namespace SecretStore.Cli.Tests.Commands;

/// <summary>Issue 12 item 4 through the real tool: a link to a folder in the tree never carries a secret outside it.</summary>
public sealed class ResolveLinkedFolderCommandTests : IDisposable
{
    private const string Value = "linked-folder-secret-7f3a";
    private const string Json = "{\"Db\": \"#{secret:Db}\"}";
    private readonly FileStoreSandbox _sandbox = new();
    private readonly TempDirectory _elsewhere = new();

    public void Dispose()
    {
        _sandbox.Dispose();
        _elsewhere.Dispose();
    }

    private async Task<string> PublishWithLinkAsync()
    {
        await _sandbox.SetAsync("shop/Db", Value);
        var inside = _sandbox.Folder.Write("publish/appsettings.json", Json);
        _elsewhere.Write("appsettings.json", Json);
        Directory.CreateSymbolicLink(_sandbox.Folder.Combine("publish", "sub"), _elsewhere.Path);
        return inside;
    }

    [Fact]
    public async Task Resolve_glob_skips_a_symbolic_link_to_a_folder_outside_the_tree()
    {
        var inside = await PublishWithLinkAsync();

        var result = await _sandbox.RunAsync("resolve", "publish/**/appsettings.json", "--app", "shop");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal($"{inside}\n", result.Stdout);
        Assert.Equal(Json, File.ReadAllText(_elsewhere.Combine("appsettings.json")));
        Assert.Contains(Value, File.ReadAllText(inside), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resolve_of_an_explicit_path_through_a_linked_folder_fails_with_SSB1018_and_writes_no_file()
    {
        var inside = await PublishWithLinkAsync();

        var result = await _sandbox.RunAsync("resolve", "publish/appsettings.json", "publish/sub/appsettings.json", "--app", "shop");

        Assert.Equal(1, result.ExitCode);
        Assert.Empty(result.StdoutBytes);
        Assert.Contains("error SSB1018:", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(Json, File.ReadAllText(_elsewhere.Combine("appsettings.json")));
        Assert.Equal(Json, File.ReadAllText(inside));
        ValueScanner.AssertNoValue(result, Value);
    }
}
