using BenchmarkDotNet.Attributes;
using Npgsql;
using SecretStore.Aws.DynamoDb;
using SecretStore.Benchmarks.Support;
using SecretStore.PostgreSql;
using SecretStore.Repositories;
using SecretStore.Secrets;
using SecretStore.Testing.PostgreSql;

namespace SecretStore.Benchmarks.Stores;

/// <summary>
/// Repository get-many of N = 10 / 100 / 1000 from the local PostgreSQL server (<c>SECRETSTORE_TEST_POSTGRES</c>, as in
/// the tests), side by side with the same get-many from DynamoDB Local (the baseline, so the Ratio column is PostgreSQL
/// ÷ DynamoDB Local). Both hold the same protected bytes: the seeded DynamoDB table's records are copied as they are. No
/// decryption: this compares the stores, not the key managers. Each run asserts its requests: one statement per
/// PostgreSQL get-many (counted from Npgsql's tracing), at most ceil(N/100) BatchGetItem calls (plus one per answer with
/// unprocessed keys) for DynamoDB. <c>PostgreSqlReaderGetMany</c> reads as a reader role held by row-level security
/// (the policy function runs per row), the way a publish should connect.
/// </summary>
[MemoryDiagnoser]
public class PostgreSqlStoreBenchmarks
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static NpgsqlDataSource? _dataSource;
    private static NpgsqlDataSource? _readerSource;
    private static string _databaseConnectionString = string.Empty;
    private static readonly HashSet<int> Seeded = [];
    private static string _readerRole = string.Empty;

    private DynamoDbSecretRepository _dynamoDb = null!;
    private SharedAwsBackend _backend = null!;
    private PostgreSqlSecretRepository _postgres = null!;
    private PostgreSqlSecretRepository _reader = null!;
    private SecretId[] _ids = null!;

    /// <summary>Secrets fetched in one call.</summary>
    [ParamsSource(nameof(Sizes))]
    public int N { get; set; } = 10;

    /// <summary>The sizes to run (see <see cref="SmokeMode"/>).</summary>
    public static IEnumerable<int> Sizes => SmokeMode.StoreSizes;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _backend = await SharedAwsBackend.GetAsync();
        _dynamoDb = new DynamoDbSecretRepository(_backend.DynamoDb, await _backend.SeededTableAsync(N));
        _ids = BenchData.Ids(N);
        await Gate.WaitAsync();
        try
        {
            if (_dataSource is null)
            {
                _databaseConnectionString = await PostgresServer.CreateDatabaseAsync("bench");
                _dataSource = NpgsqlDataSource.Create(_databaseConnectionString);
                var role = await PostgresServer.CreateLoginRoleAsync(await PostgresServer.GetAdminConnectionStringAsync(), "bench_reader");
                _readerSource = NpgsqlDataSource.Create(PostgresServer.LoginConnectionString(_databaseConnectionString, role));
                _readerRole = role.Name;
            }

            var options = new PostgreSqlSecretRepositoryOptions { Schema = $"bench_{N}" };
            _postgres = new PostgreSqlSecretRepository(_dataSource, options);
            _reader = new PostgreSqlSecretRepository(_readerSource!, options);
            if (Seeded.Add(N))
            {
                await _postgres.CreateSchemaAsync();
                await using (var grant = _dataSource.CreateCommand(_postgres.Schema.ReaderGrantScript(_readerRole, Workload.Application)))
                {
                    await grant.ExecuteNonQueryAsync();
                }

                foreach (var record in await _dynamoDb.GetManyAsync(_ids))
                {
                    await _postgres.SaveAtRevisionAsync(record, 0, Math.Max(1, record.Revision));
                }
            }
        }
        finally
        {
            Gate.Release();
        }

        // A new pool's first physical connection loads the server's types (one more statement, once): not the get-many's.
        _ = await _postgres.GetManyAsync(_ids);
        _ = await _reader.GetManyAsync(_ids);
    }

    [Benchmark(Baseline = true)]
    public async Task<int> DynamoDbLocalGetMany()
    {
        _backend.DynamoDb.Reset();
        var records = await _dynamoDb.GetManyAsync(_ids);
        var allowed = ((N + 99) / 100) + _backend.DynamoDb.UnprocessedAnswers;
        if (records.Count != N || _backend.DynamoDb.BatchGets > allowed)
        {
            throw new InvalidOperationException($"DynamoDB get-many of {N}: {records.Count} records, {_backend.DynamoDb.BatchGets} BatchGetItem calls (at most {allowed}).");
        }

        return records.Count;
    }

    [Benchmark]
    public async Task<int> PostgreSqlGetMany()
    {
        using var trips = NpgsqlRoundTrips.Start();
        var records = await _postgres.GetManyAsync(_ids);
        if (records.Count != N || trips.Count != 1)
        {
            throw new InvalidOperationException($"PostgreSQL get-many of {N}: {records.Count} records in {trips.Count} statements (one expected).");
        }

        return records.Count;
    }

    [Benchmark]
    public async Task<int> PostgreSqlReaderGetMany()
    {
        using var trips = NpgsqlRoundTrips.Start();
        var records = await _reader.GetManyAsync(_ids);
        if (records.Count != N || trips.Count != 1)
        {
            throw new InvalidOperationException($"PostgreSQL get-many of {N} as a reader: {records.Count} records in {trips.Count} statements (one expected).");
        }

        return records.Count;
    }
}
