using SecretStore.Configuration;
using SecretStore.Diagnostics;
using SecretStore.Repositories;
using SecretStore.Secrets;
using SecretStore.Testing;
using SecretStore.Testing.PostgreSql;

namespace SecretStore.PostgreSql.Tests.Repository;

/// <summary>
/// Red team rounds 8 and 9 (RT.21c, B4, B5): the storage text (a settings file a pull request edits, an earlier CI
/// step's SECRETSTORE_STORE, --store) chooses the host, inline or through the variable it names (even GITHUB_HEAD_REF),
/// and Npgsql hands PGPASSWORD to whatever host asks, in clear text if it asks so. A storage connection string without
/// its own password takes one only from a password file entry naming its host outright (mode 600), never PGPASSWORD,
/// never a '*' host, never libpq's "localhost" for a socket folder. A server that captures what it is sent proves it;
/// the same server receives a password the variable's string carries itself, which shows the capture works.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // Unix sockets and file modes; the suite runs on Linux.
[Collection(ProcessEnvironmentCollection.Name)]
public sealed class StoragePasswordTests(StoreDatabaseFixture database) : IClassFixture<StoreDatabaseFixture>, IDisposable
{
    private const string Canary = "pgpassword-canary-5d1e";
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task PGPASSWORD_reaches_no_host_the_storage_text_names_inline_or_through_a_variable()
    {
        await using var attacker = PasswordCapturingServer.Start();
        var text = $"Host=127.0.0.1;Port={attacker.Port};Username=ci;Database=secrets;Passfile={_folder.Combine("none")}";

        // Process-wide, as a CI job's PGPASSWORD is; every other connection of these tests gives its password.
        Environment.SetEnvironmentVariable("PGPASSWORD", Canary);
        try
        {
            var inline = await Assert.ThrowsAsync<SecretStoreException>(() => GetAsync(Storage(text)));
            var headRef = await Assert.ThrowsAsync<SecretStoreException>(() => GetAsync(Storage("GITHUB_HEAD_REF"), name => name == "GITHUB_HEAD_REF" ? text : null));

            Assert.Equal("SSB2007", inline.Code.Id);
            Assert.Equal("SSB2007", headRef.Code.Id);
            Assert.Contains("PGPASSWORD is never sent", headRef.Message, StringComparison.Ordinal);
            Assert.True(attacker.Logins >= 2, "The client never reached the password request."); // Npgsql may try twice (encryption, then none).
            Assert.Empty(attacker.Passwords);

            // The capture works: a password the variable's own string carries is sent (to the host that string names).
            await Assert.ThrowsAsync<SecretStoreException>(() => GetAsync(Storage("SECRETSTORE_TEST_OWN"), name => name == "SECRETSTORE_TEST_OWN" ? text + ";Password=own-pw-0b7c" : null));
            Assert.Contains("own-pw-0b7c", attacker.Passwords);
            Assert.DoesNotContain(Canary, attacker.Passwords);
        }
        finally
        {
            Environment.SetEnvironmentVariable("PGPASSWORD", null);
        }
    }

    [Fact]
    public async Task A_wildcard_password_file_entry_is_not_sent_to_a_storage_host_an_exact_one_logs_in()
    {
        var admin = await PostgresServer.GetAdminConnectionStringAsync();
        var role = await PostgresServer.CreateLoginRoleAsync(admin, "inline");
        var real = new Npgsql.NpgsqlConnectionStringBuilder(database.ConnectionString);
        await database.ExecuteAsync(database.NewRepository().Schema.ReaderGrantScript(role.Name, "Shop"));
        await using var attacker = PasswordCapturingServer.Start();
        var wildcard = PasswordFile("wildcard.pgpass", $"# every host\n*:*:*:{role.Name}:{role.Password}\n");
        var exact = PasswordFile("exact.pgpass", $"otherhost:*:*:*:nope\n{real.Host}:{real.Port}:*:{role.Name}:{role.Password.Replace(":", "\\:", StringComparison.Ordinal)}\n");

        var refused = await Assert.ThrowsAsync<SecretStoreException>(() => GetAsync(Storage($"Host=127.0.0.1;Port={attacker.Port};Username={role.Name};Database=secrets;Passfile={wildcard}")));
        var loggedIn = await GetAsync(Storage($"Host={real.Host};Port={real.Port};Username={role.Name};Database={real.Database};Passfile={exact}"));
        var realWildcard = await Assert.ThrowsAsync<SecretStoreException>(() => GetAsync(Storage($"Host={real.Host};Port={real.Port};Username={role.Name};Database={real.Database};Passfile={wildcard}")));

        Assert.Equal("SSB2007", refused.Code.Id);
        Assert.Empty(attacker.Passwords);
        Assert.Null(loggedIn); // Logged in and read: the secret does not exist.
        Assert.Equal("SSB2007", realWildcard.Code.Id);
        Assert.DoesNotContain(role.Password, refused.ToString() + realWildcard, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_socket_folder_the_storage_text_names_gets_no_localhost_entry()
    {
        // Red team round 9 (B5): libpq matches "localhost" entries for any Unix socket, and a local user can listen in /tmp.
        var folder = _folder.Combine("sock");
        Directory.CreateDirectory(folder);
        await using var attacker = PasswordCapturingServer.StartUnix(folder);
        var file = PasswordFile("local.pgpass", "localhost:5432:secrets:ci:local-canary-91e3\n*:*:*:*:star-canary-2a44\n");

        var error = await Assert.ThrowsAsync<SecretStoreException>(() => GetAsync(Storage($"Host={folder};Username=ci;Database=secrets;Passfile={file}")));

        Assert.Equal("SSB2007", error.Code.Id);
        Assert.True(attacker.Logins >= 1, "The client never reached the password request.");
        Assert.Empty(attacker.Passwords);
    }

    [Fact]
    public async Task A_password_file_others_can_read_is_refused_and_nothing_is_sent()
    {
        await using var attacker = PasswordCapturingServer.Start();
        var file = _folder.Write("open.pgpass", $"127.0.0.1:{attacker.Port}:*:*:open-canary-6f10\n");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var error = await Assert.ThrowsAsync<SecretStoreException>(() => GetAsync(Storage($"Host=127.0.0.1;Port={attacker.Port};Username=ci;Database=secrets;Passfile={file}")));

        Assert.Equal("SSB2007", error.Code.Id);
        Assert.Contains("chmod 600", error.Message, StringComparison.Ordinal);
        Assert.Empty(attacker.Passwords);
    }

    [Fact]
    public async Task Proc_self_environ_a_pipe_or_a_wildcard_port_is_no_password_file_and_nothing_is_sent()
    {
        // Red team round 10 (F1, F2, F7): /proc/self/environ is owner-only and one variable's line break makes a line
        // naming any host, whose "password" then runs on through the next variables (PGPASSWORD among them); a pipe
        // blocked the tool for ever; a '*' port sent a host's password to any port of it, where a local user may listen.
        await using var attacker = PasswordCapturingServer.Start();
        Environment.SetEnvironmentVariable("SECRETSTORE_TEST_SHAPED", $"x\n127.0.0.1:{attacker.Port}:*:*:");
        Environment.SetEnvironmentVariable("PGPASSWORD", Canary);
        try
        {
            var fifo = _folder.Combine("pipe.pgpass");
            using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", ["-m", "600", fifo]))
            {
                await mkfifo.WaitForExitAsync();
            }

            var anyPort = PasswordFile("any-port.pgpass", "127.0.0.1:*:*:*:any-port-canary-5c0e\n");
            var environ = await Assert.ThrowsAsync<SecretStoreException>(() => GetAsync(Storage($"Host=127.0.0.1;Port={attacker.Port};Username=ci;Database=secrets;Passfile=/proc/self/environ")));
            var pipe = await Assert.ThrowsAsync<SecretStoreException>(() => GetAsync(Storage($"Host=127.0.0.1;Port={attacker.Port};Username=ci;Database=secrets;Passfile={fifo}"))).WaitAsync(TimeSpan.FromSeconds(30));
            var wildcardPort = await Assert.ThrowsAsync<SecretStoreException>(() => GetAsync(Storage($"Host=127.0.0.1;Port={attacker.Port};Username=ci;Database=secrets;Passfile={anyPort}")));

            Assert.Equal("SSB2007", environ.Code.Id);
            Assert.Contains("is not a password file", environ.Message, StringComparison.Ordinal);
            Assert.Equal("SSB2007", pipe.Code.Id);
            Assert.Equal("SSB2007", wildcardPort.Code.Id);
            Assert.Empty(attacker.Passwords);
        }
        finally
        {
            Environment.SetEnvironmentVariable("SECRETSTORE_TEST_SHAPED", null);
            Environment.SetEnvironmentVariable("PGPASSWORD", null);
        }
    }

    [Fact]
    public async Task With_several_hosts_each_gets_only_the_entry_that_names_it_and_the_error_is_coded()
    {
        await using var first = PasswordCapturingServer.Start();
        await using var second = PasswordCapturingServer.Start();
        var file = PasswordFile("hosts.pgpass", $"127.0.0.1:{first.Port}:*:*:first-canary-0d9a\n");

        var error = await Assert.ThrowsAsync<SecretStoreException>(() => GetAsync(Storage($"Host=127.0.0.1:{first.Port},127.0.0.1:{second.Port};Username=ci;Database=secrets;Passfile={file}")));

        Assert.Equal("SSB2007", error.Code.Id); // Coded, not "the network" (red team round 10, F5).
        Assert.All(first.Passwords, p => Assert.Equal("first-canary-0d9a", p)); // The entry names the first host and port.
        Assert.Empty(second.Passwords);
    }

    [Fact]
    public async Task A_password_in_storage_text_is_refused_before_any_connection()
    {
        await using var attacker = PasswordCapturingServer.Start();

        foreach (var text in new[] { $"Pwd=typed-{Canary}", $"Password=typed-{Canary};Password=", $"SSL Password=typed-{Canary}" })
        {
            // "Password=x;Password=" parses to no password, but the text still holds one (red team round 10, F6).
            var error = Assert.Throws<SecretStoreException>(() => StoreSpec.WithStorage(new StoreSettings(), "--store", $"postgres:Host=127.0.0.1;Port={attacker.Port};{text}", _folder.Path));
            Assert.Equal("SSB0003", error.Code.Id);
            Assert.DoesNotContain(Canary, error.ToString(), StringComparison.Ordinal);
        }

        Assert.Equal(0, attacker.Logins);
    }

    private static StoreSettings Storage(string text) => new() { Storage = StorageKind.PostgreSql, PostgreSqlConnection = text };

    /// <summary>A password file as libpq wants it: readable by its owner only.</summary>
    private string PasswordFile(string name, string content)
    {
        var path = _folder.Write(name, content);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }

    private static async Task<ProtectedSecretRecord?> GetAsync(StoreSettings settings, Func<string, string?>? environment = null)
    {
        await using var repository = PostgreSqlSecretRepository.Create(settings, environment);
        return await repository.GetAsync(new SecretId("Shop", "Db"));
    }
}
