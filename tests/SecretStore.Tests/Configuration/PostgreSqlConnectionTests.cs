using SecretStore.Configuration;
using SecretStore.Diagnostics;

namespace SecretStore.Tests.Configuration;

/// <summary>
/// The text after <c>postgres:</c>, as every face reads it: a variable name (the usual form), or an inline connection
/// string with no password; a password typed inline is refused under each of its keyword spellings, and no message
/// or description repeats it.
/// </summary>
public sealed class PostgreSqlConnectionTests
{
    private const string Canary = "pw-canary-3f9a";

    [Theory]
    [InlineData("SECRETSTORE_POSTGRES")]
    [InlineData("_pg1")]
    [InlineData("Host=db;Database=secrets;Username=reader")]
    [InlineData("Host=db;Database=secrets;Username=reader;Passfile=/run/secrets/pgpass")]
    public void Variable_names_and_connection_strings_without_a_password_are_accepted(string text)
    {
        var settings = StoreSpec.WithStorage(new StoreSettings(), "--store", "postgres:" + text, "/work");

        Assert.Equal(StorageKind.PostgreSql, settings.Storage);
        Assert.Equal(text, settings.PostgreSqlConnection);
        Assert.Null(settings.FilePath);
        Assert.Null(settings.Table);
    }

    [Theory]
    [InlineData("Host=db;Password=" + Canary)]
    [InlineData("Host=db;pwd=" + Canary)]
    [InlineData("Host=db; PSW = " + Canary)]
    [InlineData("Host=db;\"Password\"='" + Canary + "'")]
    public void A_password_inline_is_SSB0003_in_every_spelling_and_never_repeated(string text)
    {
        var error = Assert.Throws<SecretStoreException>(() => StoreSpec.WithStorage(new StoreSettings(), "'storage' of secretstore.json", "postgres:" + text, "/work"));

        Assert.Equal("SSB0003", error.Code.Id);
        Assert.Contains("holds a password inline", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Canary, error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("postgres:", "needs the name of an environment variable")]
    [InlineData("postgres:postgresql://u:" + Canary + "@db/secrets", "is a URL")]
    [InlineData("postgres:1ST_VAR", "neither the name of an environment variable")]
    [InlineData("postgres:my var", "neither the name of an environment variable")]
    public void Other_forms_are_SSB0003_naming_the_setting_not_the_text(string text, string problem)
    {
        var error = Assert.Throws<SecretStoreException>(() => StoreSpec.WithStorage(new StoreSettings(), "--store", text, "/work"));

        Assert.Equal("SSB0003", error.Code.Id);
        Assert.StartsWith("SSB0003: --store", error.Message, StringComparison.Ordinal);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Canary, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Descriptions_show_the_variable_or_where_the_store_is_never_anything_else()
    {
        Assert.Equal("postgres:$SHOP_PG", StoreSpec.DescribeStorage(new StoreSettings { Storage = StorageKind.PostgreSql, PostgreSqlConnection = "SHOP_PG" }));
        Assert.Equal(
            "postgres:Host=db;Port=5433;Database=secrets;Username=reader",
            PostgreSqlConnection.Describe("Host=db;Port=5433;Database=secrets;Username=reader;Passfile=/secret/path;SSL Mode=Require"));
        Assert.Equal("postgres:<connection string>", PostgreSqlConnection.Describe("not a connection string"));
    }

    [Fact]
    public void Resolve_reads_the_named_variable_and_an_unset_one_is_SSB0003_naming_it()
    {
        Assert.Equal("Host=db", PostgreSqlConnection.Resolve("SHOP_PG", name => name == "SHOP_PG" ? "Host=db" : null));
        Assert.Equal("Host=inline", PostgreSqlConnection.Resolve("Host=inline", _ => throw new InvalidOperationException("no lookup for an inline string")));

        var unset = Assert.Throws<SecretStoreException>(() => PostgreSqlConnection.Resolve("SHOP_PG", _ => " "));

        Assert.Equal("SSB0003", unset.Code.Id);
        Assert.StartsWith("SSB0003: PostgreSQL storage postgres:SHOP_PG names the environment variable SHOP_PG, which is not set (or empty).", unset.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_later_file_or_dynamodb_storage_clears_the_connection()
    {
        var postgres = StoreSpec.WithStorage(new StoreSettings(), "a", "postgres:SHOP_PG", "/work");

        Assert.Null(StoreSpec.WithStorage(postgres, "b", "file:s.json", "/work").PostgreSqlConnection);
        Assert.Null(StoreSpec.WithStorage(postgres, "b", "dynamodb:t", "/work").PostgreSqlConnection);
    }
}
