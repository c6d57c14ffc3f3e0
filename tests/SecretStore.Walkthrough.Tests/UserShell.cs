using SecretStore.Testing.Processes;

namespace SecretStore.Walkthrough.Tests;

/// <summary>
/// A user's terminal in one folder outside the repository: runs <c>dotnet</c> (and the local <c>secretstore</c> tool
/// through it) with the feed fixture's isolated NuGet cache, plus whatever a step adds (e.g. <c>GITHUB_ACTIONS</c>).
/// </summary>
public sealed class UserShell(LocalFeed feed, string directory)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    public string Directory { get; } = directory;

    public UserShell In(string relative) => new(feed, Path.Combine(Directory, relative));

    public Task<ToolProcessResult> DotNet(params string[] arguments) => DotNet(arguments, environment: null);

    public async Task<ToolProcessResult> DotNet(IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string?>? environment, string? input = null)
    {
        var merged = new Dictionary<string, string?>(feed.Environment);
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            merged[name] = value;
        }

        return await ToolProcess.RunAsync("dotnet", arguments, Directory, Timeout, merged, input);
    }

    /// <summary>Runs a step that must succeed; a failure shows its whole output.</summary>
    public async Task<ToolProcessResult> Ok(params string[] arguments)
    {
        var result = await DotNet(arguments);
        Assert.True(result.Succeeded, result.ToString());
        return result;
    }

    /// <summary>Pipes <paramref name="value"/> into <c>dotnet secretstore set</c>, as docs do with printf.</summary>
    public async Task SetSecret(string id, string value)
    {
        var result = await DotNet(["secretstore", "set", id], environment: null, input: value);
        Assert.True(result.Succeeded, result.ToString());
        Assert.DoesNotContain(value, result.Output, StringComparison.Ordinal);
    }

    public string Read(string relative) => File.ReadAllText(Path.Combine(Directory, relative));

    public void Write(string relative, string content)
    {
        var path = Path.Combine(Directory, relative);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }
}
