using SecretStore.Secrets;
using SecretStore.Testing.PostgreSql;
using SecretStore.Testing.Repositories;

namespace SecretStore.PostgreSql.Tests.Repository;

/// <summary>
/// Round trips, counted from Npgsql's own tracing: a get-many is one statement whatever its size, a listing one per
/// page of <see cref="PostgreSqlSecretRepository.PageSize"/>, a write two statements (its reads, its writes) and the commit
/// (which Npgsql does not trace; BEGIN travels with the first statement).
/// </summary>
public sealed class RoundTripTests(StoreDatabaseFixture database) : IClassFixture<StoreDatabaseFixture>
{
    [Theory]
    [InlineData(1)]
    [InlineData(10)]
    [InlineData(100)]
    [InlineData(1000)]
    [InlineData(2500)]
    public async Task Get_many_is_one_round_trip_whatever_its_size(int count)
    {
        var repository = database.NewRepository();
        var app = ProtectedRecords.NewApplication("trips");
        var ids = await SeedAsync(app, count);

        using var trips = NpgsqlRoundTrips.Start();
        var records = await repository.GetManyAsync([.. ids, new SecretId(app, "missing")]);

        Assert.Equal(count, records.Count);
        Assert.Equal(1, trips.Count);
    }

    [Theory]
    [InlineData(999, 1)]
    [InlineData(1000, 2)]
    [InlineData(2001, 3)]
    public async Task A_listing_is_one_round_trip_per_page(int count, int pages)
    {
        var repository = database.NewRepository();
        var app = ProtectedRecords.NewApplication("pages");
        await SeedAsync(app, count);

        using var trips = NpgsqlRoundTrips.Start();
        var records = await repository.QueryByApplicationAsync(app);

        Assert.Equal(count, records.Count);
        Assert.Equal(pages, trips.Count);
    }

    [Fact]
    public async Task A_write_is_two_statements_and_a_pinned_read_one()
    {
        var repository = database.NewRepository();
        var id = new SecretId(ProtectedRecords.NewApplication("write"), "Db");
        await repository.SaveAsync(ProtectedRecords.V2(id), 0);

        using var trips = NpgsqlRoundTrips.Start();
        await repository.SaveAsync(ProtectedRecords.V2(id), 1);
        var written = trips.Count;
        await repository.GetRevisionAsync(id, 1);

        Assert.Equal(2, written);
        Assert.Equal(3, trips.Count);
    }

    /// <summary>Inserts <paramref name="count"/> v2 rows in one statement (seeding through the repository would take minutes).</summary>
    private async Task<SecretId[]> SeedAsync(string app, int count)
    {
        var ids = Enumerable.Range(0, count).Select(i => new SecretId(app, $"n{i:D5}")).ToArray();
        await database.ExecuteAsync(
            "INSERT INTO secretstore.secrets (application_name, secret_name, revision, format, master_key_id, envelope) SELECT $1, n, 1, 2, 'k', gen_random_bytes_or(n) FROM unnest($2::text[]) AS n"
                .Replace("gen_random_bytes_or(n)", "decode(md5(n), 'hex')", StringComparison.Ordinal),
            app,
            ids.Select(i => i.Name).ToArray());
        return ids;
    }
}
