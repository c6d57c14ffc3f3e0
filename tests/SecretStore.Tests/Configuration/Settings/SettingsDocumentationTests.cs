using System.Text.RegularExpressions;
using SecretStore.Configuration.Settings;
using SecretStore.Tests.Support;

namespace SecretStore.Tests.Configuration.Settings;

/// <summary>The examples of <c>docs/settings.md</c> are files the reader accepts, so the page cannot drift from the code.</summary>
public sealed partial class SettingsDocumentationTests
{
    public static TheoryData<int> Examples => [.. Enumerable.Range(0, ExampleBlocks().Count)];

    private static List<string> ExampleBlocks() =>
        [.. JsoncBlock().Matches(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "docs", "settings.md"))).Select(m => m.Groups[1].Value)];

    [Fact]
    public void The_page_has_the_examples_it_promises()
    {
        // The format, Development and Production, a KMS-protected file store, a CI environment.
        Assert.Equal(4, ExampleBlocks().Count);
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void Every_example_of_docs_settings_md_reads_without_error(int index)
    {
        using var folder = new TempDirectory();
        var path = folder.Combine(SettingsFile.FileName);
        File.WriteAllText(path, ExampleBlocks()[index]);

        var file = SettingsFileReader.Read(path);

        Assert.NotNull(file.Shared);
    }

    [GeneratedRegex("```jsonc\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex JsoncBlock();
}
