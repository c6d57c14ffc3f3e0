using SecretStore.Testing.Aws.DynamoDb;

namespace SecretStore.Aws.Tests.DynamoDb;

public sealed class DynamoDbLocalTests
{
    [Fact]
    public async Task On_CI_a_missing_endpoint_fails_loudly_instead_of_skipping()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            DynamoDbLocal.LocateAsync(name => name == "CI" ? "true" : null));

        Assert.Contains(DynamoDbLocal.UrlVariable, error.Message, StringComparison.Ordinal);
        Assert.Contains("build/test.sh", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_configured_endpoint_is_used_as_given()
    {
        var url = await DynamoDbLocal.LocateAsync(name => name == DynamoDbLocal.UrlVariable ? "http://127.0.0.1:8123" : "true");

        Assert.Equal(new Uri("http://127.0.0.1:8123"), url);
    }

    [Fact]
    public void Table_names_are_unique_and_valid()
    {
        var a = DynamoDbLocal.UniqueTableName("secrets");
        var b = DynamoDbLocal.UniqueTableName("secrets");

        Assert.NotEqual(a, b);
        Assert.Matches("^[A-Za-z0-9_.-]{3,255}$", a);
    }
}
