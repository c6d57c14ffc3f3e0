using SecretStore.Configuration;
using SecretStore.Diagnostics;
using SecretStore.Repositories;
using SecretStore.Secrets;
using SecretStore.Testing;
using SecretStore.Testing.PostgreSql;

namespace SecretStore.PostgreSql.Tests.Repository;

/// <summary>
/// Red team round 8 (RT.21c): an inline connection string's host is text a pull request or an earlier CI step can
/// change, and Npgsql hands PGPASSWORD to whatever host asks, in clear text if it asks so. An inline string takes a
/// password only from a password file entry naming its host outright; the variable form keeps Npgsql's behaviour (its
/// host comes with its password from one CI secret), which the first test also uses to show that the capture works.
/// </summary>
public sealed class InlinePasswordTests(StoreDatabaseFixture database) : IClassFixture<StoreDatabaseFixture>, IDisposable
{
    private const string Canary = "pgpassword-canary-5d1e";
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task PGPASSWORD_never_reaches_a_host_an_inline_string_names_and_the_variable_form_still_sends_it()
    {
        await using var attacker = PasswordCapturingServer.Start();
        var text = $"Host=127.0.0.1;Port={attacker.Port};Username=ci;Database=secrets;Passfile={_folder.Combine("none")}";
        // Process-wide, as a CI job's PGPASSWORD is; every other connection of these tests gives its password.
        Environment.SetEnvironmentVariable("PGPASSWORD", Canary);
        try
        {
            var inline = await Assert.ThrowsAsync<SecretStoreException>(() => GetAsync(Inline(text)));
            Assert.Equal("SSB2007", inline.Code.Id);
            Assert.Contains("PGPASSWORD is never sent", inline.Message, StringComparison.Ordinal);
            Assert.True(attacker.Logins >= 1, "The client never reached the password request."); // Npgsql may try twice (encryption, then none).
            Assert.Empty(attacker.Passwords);

            // The capture works: the variable form (a CI secret names the host) is Npgsql's, PGPASSWORD included.
            await Assert.ThrowsAsync<SecretStoreException>(() => GetAsync(new StoreSettings { Storage = StorageKind.PostgreSql, PostgreSqlConnection = "SECRETSTORE_TEST_FAKE" }, name => name == "SECRETSTORE_TEST_FAKE" ? text : null));
            Assert.Contains(Canary, attacker.Passwords);
        }
        finally
        {
            Environment.SetEnvironmentVariable("PGPASSWORD", null);
        }
    }

    [Fact]
    public async Task A_wildcard_password_file_entry_is_not_sent_to_an_inline_host_an_exact_one_logs_in()
    {
        var admin = await PostgresServer.GetAdminConnectionStringAsync();
        var role = await PostgresServer.CreateLoginRoleAsync(admin, "inline");
        var real = new Npgsql.NpgsqlConnectionStringBuilder(database.ConnectionString);
        await database.ExecuteAsync(database.NewRepository().Schema.ReaderGrantScript(role.Name, "Shop"));
        await using var attacker = PasswordCapturingServer.Start();
        var wildcard = _folder.Write("wildcard.pgpass", $"# every host\n*:*:*:{role.Name}:{role.Password}\n");
        var exact = _folder.Write("exact.pgpass", $"otherhost:*:*:*:nope\n{real.Host}:{real.Port}:*:{role.Name}:{role.Password.Replace(":", "\\:", StringComparison.Ordinal)}\n");

        var refused = await Assert.ThrowsAsync<SecretStoreException>(() => GetAsync(Inline($"Host=127.0.0.1;Port={attacker.Port};Username={role.Name};Database=secrets;Passfile={wildcard}")));
        var loggedIn = await GetAsync(Inline($"Host={real.Host};Port={real.Port};Username={role.Name};Database={real.Database};Passfile={exact}"));
        var realWildcard = await Assert.ThrowsAsync<SecretStoreException>(() => GetAsync(Inline($"Host={real.Host};Port={real.Port};Username={role.Name};Database={real.Database};Passfile={wildcard}")));

        Assert.Equal("SSB2007", refused.Code.Id);
        Assert.Empty(attacker.Passwords);
        Assert.Null(loggedIn); // Logged in and read: the secret does not exist.
        Assert.Equal("SSB2007", realWildcard.Code.Id);
        Assert.DoesNotContain(role.Password, refused.ToString() + realWildcard, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_password_in_storage_text_is_refused_before_any_connection()
    {
        await using var attacker = PasswordCapturingServer.Start();

        var error = Assert.Throws<SecretStoreException>(() => StoreSpec.WithStorage(new StoreSettings(), "--store", $"postgres:Host=127.0.0.1;Port={attacker.Port};Pwd=typed-{Canary}", _folder.Path));

        Assert.Equal("SSB0003", error.Code.Id);
        Assert.DoesNotContain(Canary, error.ToString(), StringComparison.Ordinal);
        Assert.Equal(0, attacker.Logins);
    }

    private static StoreSettings Inline(string text) => new() { Storage = StorageKind.PostgreSql, PostgreSqlConnection = text };

    private static async Task<ProtectedSecretRecord?> GetAsync(StoreSettings settings, Func<string, string?>? environment = null)
    {
        await using var repository = PostgreSqlSecretRepository.Create(settings, environment);
        return await repository.GetAsync(new SecretId("Shop", "Db"));
    }
}
