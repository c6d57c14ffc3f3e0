using System.Text.Json;
using SecretStore.Cli.Tests.Infrastructure;

namespace SecretStore.Cli.Tests.Commands;

/// <summary>
/// Issue 12 item 10 through the real tool: a store writer sets a value to another secret's placeholder, hoping
/// the artifact is resolved a second time (MSBuild publish, then <c>secretstore resolve</c> on the output).
/// </summary>
public sealed class ResolveTwiceCommandTests : IDisposable
{
    private const string AdminToken = "admin-token-5d7e21";
    private const string Planted = "#{secret:billing/AdminToken}";
    private readonly FileStoreSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public async Task A_value_naming_another_secret_is_refused_with_SSB1019_so_a_second_resolve_cannot_expand_it()
    {
        await _sandbox.SetAsync("shop/Note", Planted);
        await _sandbox.SetAsync("billing/AdminToken", AdminToken);
        const string Source = "{\"Note\": \"#{secret:Note}\"}";
        var path = _sandbox.Folder.Write("publish/appsettings.json", Source);

        var first = await _sandbox.RunAsync("resolve", "publish/appsettings.json", "--app", "shop");
        var second = await _sandbox.RunAsync("resolve", "publish/appsettings.json", "--app", "shop");

        Assert.Equal(1, first.ExitCode);
        Assert.Contains("appsettings.json(1,11): error SSB1019:", first.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, second.ExitCode);
        Assert.Equal(Source, File.ReadAllText(path));
        ValueScanner.AssertNoValue(first, AdminToken);
        ValueScanner.AssertNoValue(second, AdminToken);
    }

    [Fact]
    public async Task With_the_literal_modifier_the_value_is_written_escaped_and_a_second_resolve_leaves_it_alone()
    {
        await _sandbox.SetAsync("shop/Note", Planted);
        await _sandbox.SetAsync("billing/AdminToken", AdminToken);
        var path = _sandbox.Folder.Write("publish/appsettings.json", "{\"Note\": \"#{secret:Note|literal}\"}");

        var first = await _sandbox.RunAsync("resolve", "publish/appsettings.json", "--app", "shop");
        Assert.True(first.ExitCode == 0, first.ToString());
        var afterFirst = File.ReadAllText(path);
        var second = await _sandbox.RunAsync("resolve", "publish/appsettings.json", "--app", "shop");

        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Equal(string.Empty, second.Stdout);
        Assert.Equal(afterFirst, File.ReadAllText(path));
        Assert.DoesNotContain(AdminToken, afterFirst, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(afterFirst);
        Assert.Equal(Planted, document.RootElement.GetProperty("Note").GetString());
    }
}
