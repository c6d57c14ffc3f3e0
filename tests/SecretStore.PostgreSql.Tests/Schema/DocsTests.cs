using System.Text.RegularExpressions;
using SecretStore.Testing;

namespace SecretStore.PostgreSql.Tests.Schema;

/// <summary>docs/postgres.md shows the script 'table create' runs and the grants 'table sql' prints, exactly.</summary>
public sealed partial class DocsTests
{
    [Fact]
    public void The_documented_schema_and_grants_are_what_the_tool_runs_and_prints()
    {
        var blocks = SqlBlocks().Matches(File.ReadAllText(RepositoryRoot.Combine("docs", "postgres.md"))).Select(m => m.Groups[1].Value.Trim()).ToList();
        var schema = new PostgreSqlSchema();

        Assert.Equal(2, blocks.Count);
        Assert.Equal(schema.CreateScript().Trim(), blocks[0]);
        Assert.Equal((schema.ReaderGrantScript("shop_reader", "Shop") + "\n" + schema.WriterGrantScript("ci_writer")).Trim(), blocks[1]);
    }

    [GeneratedRegex("```sql\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex SqlBlocks();
}
