using Npgsql;
using NpgsqlTypes;
using SecretStore.Configuration;
using SecretStore.Diagnostics;
using SecretStore.Repositories;
using SecretStore.Repositories.History;
using SecretStore.Secrets;

namespace SecretStore.PostgreSql;

/// <summary>
/// Keeps protected secrets in a PostgreSQL schema (<see cref="PostgreSqlSchema"/>): one row per secret keyed by
/// (application, name), the same protected bytes as the other stores (v2 envelopes, and v1 rows when imported), and every
/// kept revision in a history table written in the same transaction. Reads of many secrets are one statement (one round
/// trip, whatever their number); listing pages by <see cref="PageSize"/>; writes lock the row and check the revision,
/// so two writers never lose an update. Row-level security keeps a reader to its application (docs/postgres.md).
/// </summary>
/// <remarks>
/// Every operation is one unit (a statement, a batch, or a transaction) that is run again, up to
/// <see cref="PostgreSqlSecretRepositoryOptions.MaxAttempts"/> times, when the connection fails, the server restarts, or
/// a concurrent writer causes a serialization failure or deadlock: the unit re-reads and re-checks its condition, so a
/// retry never writes over another writer. A save whose commit was sent but whose answer was lost finds its own bytes on
/// the retry (a fresh nonce or IV makes them unique) and succeeds.
/// </remarks>
public sealed class PostgreSqlSecretRepository : IProtectedSecretRepository, IAsyncDisposable, IDisposable
{
    /// <summary>The rows one statement of <see cref="QueryByApplicationAsync"/> reads; more rows take more pages (round trips).</summary>
    public const int PageSize = 1000;

    private readonly NpgsqlDataSource _dataSource;
    private readonly bool _ownsDataSource;
    private readonly PostgreSqlSchema _schema;
    private readonly HistoryOptions _history;
    private readonly int _maxAttempts;
    private readonly TimeSpan _retryBaseDelay;
    private readonly System.Data.IsolationLevel _isolation;
    private readonly TimeSpan _lockTimeout;
    private readonly string _description;
    private string? _storeId;

    /// <summary>Uses <paramref name="dataSource"/> (not disposed by this repository).</summary>
    public PostgreSqlSecretRepository(NpgsqlDataSource dataSource, PostgreSqlSecretRepositoryOptions? options = null)
        : this(dataSource, options, ownsDataSource: false)
    {
    }

    private PostgreSqlSecretRepository(NpgsqlDataSource dataSource, PostgreSqlSecretRepositoryOptions? options, bool ownsDataSource)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        options ??= new PostgreSqlSecretRepositoryOptions();
        options.History.Validate();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxAttempts, 1, nameof(options));
        _dataSource = dataSource;
        _ownsDataSource = ownsDataSource;
        _schema = new PostgreSqlSchema(options.Schema);
        _history = options.History;
        _maxAttempts = options.MaxAttempts;
        _retryBaseDelay = options.RetryBaseDelay;
        ArgumentOutOfRangeException.ThrowIfLessThan(options.LockTimeout, TimeSpan.FromMilliseconds(1), nameof(options));
        _lockTimeout = options.LockTimeout;
        _isolation = options.IsolationLevel is System.Data.IsolationLevel.ReadCommitted or System.Data.IsolationLevel.RepeatableRead or System.Data.IsolationLevel.Serializable
            ? options.IsolationLevel
            : throw new ArgumentException("The isolation level is ReadCommitted, RepeatableRead or Serializable.", nameof(options));
        _description = Describe(new NpgsqlConnectionStringBuilder(dataSource.ConnectionString), _schema.Name);
    }

    /// <summary>The schema's names and SQL.</summary>
    public PostgreSqlSchema Schema => _schema;

    /// <summary>How a back-off waits (tests record the delays asked for instead of timing the wall clock).</summary>
    internal Func<TimeSpan, CancellationToken, Task> Delay { get; set; } = Task.Delay;

    /// <summary>
    /// Creates a repository with its own connection pool from <paramref name="connectionString"/> (an Npgsql connection
    /// string). A connection string that does not parse is <c>SSB0003</c>, naming the keyword at fault only.
    /// </summary>
    public static PostgreSqlSecretRepository Create(string connectionString, PostgreSqlSecretRepositoryOptions? options = null) =>
        Create(connectionString, options, hostBound: false);

    /// <param name="connectionString">The connection string.</param>
    /// <param name="options">The options.</param>
    /// <param name="hostBound">
    /// Whether the string came from storage text and holds no password: its password then comes only from a password file
    /// entry naming its host (<see cref="HostPasswordFile"/>), never from <c>PGPASSWORD</c>.
    /// </param>
    private static PostgreSqlSecretRepository Create(string connectionString, PostgreSqlSecretRepositoryOptions? options, bool hostBound)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException)
        {
            // Npgsql's message names the keyword, sometimes with its value: a password typed in the wrong place would show.
            throw new SecretStoreException(
                DiagnosticCodes.InvalidStoreConfiguration,
                "The PostgreSQL connection string does not parse: a keyword is unknown or a value has the wrong form. Fix: correct the connection string (keywords and value forms: the Npgsql connection string reference at npgsql.org).");
        }

        if (string.IsNullOrWhiteSpace(builder.ApplicationName))
        {
            builder.ApplicationName = "secretstore";
        }

        // Never on, whatever the string says: the server's detail text can quote a row.
        builder.IncludeErrorDetail = false;
        NpgsqlDataSource dataSource;
        try
        {
            dataSource = hostBound ? HostBound(builder, options) : NpgsqlDataSource.Create(builder.ConnectionString);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or InvalidOperationException)
        {
            // Settings Npgsql checks only together (Target Session Attributes with one host, say); its message may quote a value.
            throw new SecretStoreException(
                DiagnosticCodes.InvalidStoreConfiguration,
                $"The PostgreSQL connection string has settings that do not go together or are out of range ({e.GetType().Name}). Fix: correct the connection string (its settings: the Npgsql connection string reference at npgsql.org).");
        }

        return new PostgreSqlSecretRepository(dataSource, options, ownsDataSource: true);
    }

    /// <summary>A pool whose password comes only from a password file entry for its host (<see cref="HostPasswordFile"/>).</summary>
    private static NpgsqlDataSource HostBound(NpgsqlConnectionStringBuilder builder, PostgreSqlSecretRepositoryOptions? options)
    {
        // The provider reads the password file itself (Npgsql refuses a Passfile beside a provider).
        var passfile = builder.Passfile;
        builder.Passfile = null;
        var store = Describe(builder, (options ?? new PostgreSqlSecretRepositoryOptions()).Schema);
        var dataSource = new NpgsqlDataSourceBuilder(builder.ConnectionString);
        dataSource.UsePasswordProvider(
            settings => HostPasswordFile.Find(settings, passfile, store),
            (settings, _) => ValueTask.FromResult(HostPasswordFile.Find(settings, passfile, store)));
        return dataSource.Build();
    }

    /// <summary>
    /// Creates a repository from <paramref name="settings"/>: <see cref="StoreSettings.PostgreSqlConnection"/> names the
    /// environment variable holding the connection string (or is one), and <see cref="StoreSettings.KeepRevisions"/> the
    /// retention. A connection string without a password (inline, or in the variable) takes one only from a password file
    /// entry naming its host, never from <c>PGPASSWORD</c> (docs/postgres.md): the storage text chose that host.
    /// </summary>
    public static PostgreSqlSecretRepository Create(StoreSettings settings, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (string.IsNullOrWhiteSpace(settings.PostgreSqlConnection))
        {
            throw new SecretStoreException(DiagnosticCodes.InvalidStoreConfiguration, $"PostgreSQL storage needs the name of the environment variable holding the connection string ({StoreSpec.PostgreSqlPrefix}SECRETSTORE_POSTGRES).");
        }

        // The storage text (a settings file, --store, SECRETSTORE_STORE) chooses the host, or the variable that gives it:
        // a string without its own password takes one only from a password file entry for that host, never PGPASSWORD.
        var connectionString = PostgreSqlConnection.Resolve(settings.PostgreSqlConnection, environment);
        var hostBound = string.IsNullOrEmpty(ParsedPassword(connectionString));
        return Create(connectionString, new PostgreSqlSecretRepositoryOptions { History = new HistoryOptions { KeepRevisions = settings.KeepRevisions } }, hostBound);
    }

    /// <inheritdoc />
    public Task<ProtectedSecretRecord?> GetAsync(SecretId id, CancellationToken cancellationToken = default)
    {
        EnsureWellFormed(id);
        return RunAsync("read", async (connection, _, ct) =>
        {
            await using var command = new NpgsqlCommand(ReadSecretsSql, connection);
            AddKeys(command.Parameters, [id]);
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            return await reader.ReadAsync(ct).ConfigureAwait(false) ? RecordRows.Read(reader, _schema.Secrets) : null;
        }, cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>One statement for any number of ids (the keys travel as two arrays): one round trip.</remarks>
    public async Task<IReadOnlyList<ProtectedSecretRecord>> GetManyAsync(IReadOnlyCollection<SecretId> ids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var distinct = ids.Distinct().ToList();
        distinct.ForEach(EnsureWellFormed);
        if (distinct.Count == 0)
        {
            return [];
        }

        return await RunAsync("get-many", async (connection, _, ct) =>
        {
            await using var command = new NpgsqlCommand(ReadSecretsSql, connection);
            AddKeys(command.Parameters, distinct);
            var results = new List<ProtectedSecretRecord>(distinct.Count);
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                results.Add(RecordRows.Read(reader, _schema.Secrets));
            }

            return (IReadOnlyList<ProtectedSecretRecord>)results;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>Pages of <see cref="PageSize"/> rows by key (never an offset), each page its own statement.</remarks>
    public async Task<IReadOnlyList<ProtectedSecretRecord>> QueryByApplicationAsync(string applicationName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(applicationName);
        EnsureWellFormed(new SecretId(applicationName, "-"));
        var results = new List<ProtectedSecretRecord>();
        string? after = null;
        while (true)
        {
            var page = await RunAsync("list", async (connection, _, ct) =>
            {
                await using var command = new NpgsqlCommand($"SELECT {PostgreSqlSchema.RecordColumns} FROM {_schema.Function("list_secrets")}($1, $2, {PageSize})", connection);
                command.Parameters.Add(Text(applicationName));
                command.Parameters.Add(Text(after));
                var rows = new List<ProtectedSecretRecord>();
                await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
                while (await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    rows.Add(RecordRows.Read(reader, _schema.Secrets));
                }

                return rows;
            }, cancellationToken).ConfigureAwait(false);
            results.AddRange(page);
            if (page.Count < PageSize)
            {
                break;
            }

            after = page[^1].Id.Name;
        }

        // The columns order by UTF-8 bytes (COLLATE "C"); the contract is ordinal (UTF-16) order.
        results.Sort((a, b) => string.CompareOrdinal(a.Id.Name, b.Id.Name));
        return results;
    }

    /// <inheritdoc />
    /// <remarks>Under row-level security a reader sees only the applications it may read.</remarks>
    public Task<IReadOnlyList<string>> ListApplicationsAsync(CancellationToken cancellationToken = default) =>
        RunAsync("list applications", async (connection, _, ct) =>
        {
            await using var command = new NpgsqlCommand($"SELECT * FROM {_schema.Function("list_applications")}()", connection);
            var applications = new List<string>();
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                applications.Add(reader.GetString(0));
            }

            applications.Sort(StringComparer.Ordinal);
            return (IReadOnlyList<string>)applications;
        }, cancellationToken);

    /// <inheritdoc />
    public Task<long> SaveAsync(ProtectedSecretRecord record, long expectedRevision, CancellationToken cancellationToken = default) =>
        SaveCoreAsync(record, expectedRevision, null, cancellationToken);

    /// <inheritdoc />
    public Task<long> SaveAtRevisionAsync(ProtectedSecretRecord record, long expectedRevision, long newRevision, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(newRevision, expectedRevision);
        return SaveCoreAsync(record, expectedRevision, newRevision, cancellationToken);
    }

    private Task<long> SaveCoreAsync(ProtectedSecretRecord record, long expectedRevision, long? requestedRevision, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentOutOfRangeException.ThrowIfNegative(expectedRevision);
        EnsureWellFormed(record.Id);
        RecordRows.EnsureWritable(record);
        var id = record.Id;
        return RunAsync("write", async (connection, retry, ct) =>
        {
            await using var transaction = await connection.BeginTransactionAsync(_isolation, ct).ConfigureAwait(false);
            var state = await ReadForWriteAsync(connection, transaction, id, ct).ConfigureAwait(false);
            if (retry && state.Record is { } stored && stored.Revision > expectedRevision && RecordRows.SameBytes(stored, record))
            {
                // Our own commit, whose answer the failed attempt lost: no other writer can produce these bytes.
                return stored.Revision;
            }

            if (expectedRevision == 0 ? state.Revision is not null : state.Revision != expectedRevision)
            {
                throw new ConcurrencyConflictException(id, expectedRevision, state.Revision ?? 0);
            }

            var (newest, unkept) = Tip(state);
            var newRevision = RecordHistory.NextRevision(id, expectedRevision, newest, requestedRevision);
            await using var batch = new NpgsqlBatch(connection, transaction);
            batch.BatchCommands.Add(state.Revision is null ? InsertCurrent(record, newRevision) : UpdateCurrent(record, newRevision));
            batch.BatchCommands.Add(InsertHistory(id, newRevision, record, _history.Now(), _history.EffectiveWriter));
            AddUnkeptAndPrune(batch, id, unkept);
            await CommitWritesAsync(connection, transaction, batch, id, expectedRevision, ct).ConfigureAwait(false);
            return newRevision;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> DeleteAsync(SecretId id, long? expectedRevision = null, CancellationToken cancellationToken = default)
    {
        EnsureWellFormed(id);
        if (expectedRevision is { } expected)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(expected, nameof(expectedRevision));
        }

        return RunAsync("delete", async (connection, _, ct) =>
        {
            await using var transaction = await connection.BeginTransactionAsync(_isolation, ct).ConfigureAwait(false);
            var state = await ReadForWriteAsync(connection, transaction, id, ct).ConfigureAwait(false);
            if (state.Revision is not { } stored)
            {
                // Nothing to delete (after a retry: possibly our own delete, whose answer was lost).
                return false;
            }

            if (expectedRevision is { } wanted && stored != wanted)
            {
                throw new ConcurrencyConflictException(id, wanted, stored);
            }

            var (newest, unkept) = Tip(state);
            var tombstone = RecordHistory.NextRevision(id, Math.Max(stored, 0), newest);
            await using var batch = new NpgsqlBatch(connection, transaction);
            batch.BatchCommands.Add(Call("delete_secret", id));
            batch.BatchCommands.Add(InsertHistory(id, tombstone, null, _history.Now(), _history.EffectiveWriter));
            AddUnkeptAndPrune(batch, id, unkept);
            await CommitWritesAsync(connection, transaction, batch, id, expectedRevision ?? stored, ct).ConfigureAwait(false);
            return true;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<SecretHistoryEntry>> GetHistoryAsync(SecretId id, CancellationToken cancellationToken = default)
    {
        EnsureWellFormed(id);
        return RunAsync("history", async (connection, _, ct) =>
        {
            var (entries, current) = await ReadHistoryAndCurrentAsync(connection, id, revision: null, ct).ConfigureAwait(false);
            return RecordHistory.WithCurrent(entries, current);
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<SecretHistoryEntry?> GetRevisionAsync(SecretId id, long revision, CancellationToken cancellationToken = default)
    {
        EnsureWellFormed(id);
        if (!RecordRevision.IsValid(revision))
        {
            return Task.FromResult<SecretHistoryEntry?>(null);
        }

        return RunAsync("read revision", async (connection, _, ct) =>
        {
            var (kept, current) = await ReadHistoryAndCurrentAsync(connection, id, revision, ct).ConfigureAwait(false);
            return RecordHistory.WithCurrent(kept, current).FirstOrDefault(entry => entry.Revision == revision);
        }, cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>One transaction: the row and every revision go, and the mark is written, or nothing is.</remarks>
    public Task<bool> PurgeAsync(SecretId id, CancellationToken cancellationToken = default)
    {
        EnsureWellFormed(id);
        return RunAsync("purge", async (connection, _, ct) =>
        {
            await using var transaction = await connection.BeginTransactionAsync(_isolation, ct).ConfigureAwait(false);
            long? current;
            var kept = new List<(long Revision, bool Deleted)>();
            await using (var batch = new NpgsqlBatch(connection, transaction))
            {
                batch.BatchCommands.Add(SetLockTimeout());
                var row = new NpgsqlBatchCommand($"SELECT revision FROM {_schema.Function("lock_secret")}($1, $2)");
                AddKey(row.Parameters, id);
                var history = new NpgsqlBatchCommand($"SELECT revision, format IS NULL FROM {_schema.Function("read_history")}($1, $2, NULL)");
                AddKey(history.Parameters, id);
                batch.BatchCommands.Add(row);
                batch.BatchCommands.Add(history);
                await using var reader = await batch.ExecuteReaderAsync(ct).ConfigureAwait(false);
                await reader.NextResultAsync(ct).ConfigureAwait(false);
                current = await reader.ReadAsync(ct).ConfigureAwait(false) ? reader.GetInt64(0) : null;
                await reader.NextResultAsync(ct).ConfigureAwait(false);
                while (await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    kept.Add((reader.GetInt64(0), reader.GetBoolean(1)));
                }
            }

            if (current is null && (kept.Count == 0 || (kept.Count == 1 && kept[0].Deleted)))
            {
                return false; // Nothing, or only the mark an earlier purge left.
            }

            var newest = Math.Max(current is > 0 ? current.Value : 0, kept.Count == 0 ? 0 : kept.Max(k => k.Revision));
            var mark = RecordRevision.Next(id, newest);
            await using (var batch = new NpgsqlBatch(connection, transaction))
            {
                batch.BatchCommands.Add(Call("delete_secret", id));
                batch.BatchCommands.Add(Prune(id, keep: 0));
                batch.BatchCommands.Add(InsertHistory(id, mark, null, _history.Now(), _history.EffectiveWriter));
                await batch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }

            await transaction.CommitAsync(ct).ConfigureAwait(false);
            return true;
        }, cancellationToken, retryUniqueViolation: true);
    }

    /// <inheritdoc />
    /// <remarks>The <c>store</c> row; null when there is none (a new store, or one made by hand). Cached once known.</remarks>
    public async ValueTask<string?> GetStoreIdAsync(CancellationToken cancellationToken = default)
    {
        if (_storeId is { } known)
        {
            return known;
        }

        var id = await RunAsync("read store id", async (connection, _, ct) =>
        {
            await using var command = new NpgsqlCommand($"SELECT store_id, schema_version FROM {_schema.Function("store_info")}()", connection);
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            if (!await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                return null;
            }

            if (reader.GetInt32(1) != PostgreSqlSchema.Version)
            {
                throw PostgreSqlErrors.SchemaMissing("read store id", _description, $"(its layout is version {reader.GetInt32(1)}; this version reads {PostgreSqlSchema.Version})");
            }

            var value = reader.GetString(0);
            return StoreIds.IsWellFormed(value)
                ? value
                : throw new SecretStoreException(DiagnosticCodes.InvalidData, $"The store row of {_description} holds no valid store id; records bound to this store are refused until it is restored.");
        }, cancellationToken).ConfigureAwait(false);
        _storeId = id;
        return id;
    }

    /// <inheritdoc />
    /// <remarks>
    /// A new store (no records, no history: a schema just made by <see cref="CreateSchemaAsync"/>) gets its id from its
    /// first write, so that an <c>import</c> into it can take the id of the store it copies instead. The id is written at
    /// once, by an insert two callers cannot both win (each then reads the winner's). A store with records and no id (one
    /// made by hand) gets one only with <paramref name="createForExisting"/> (<c>store-id --create</c>).
    /// </remarks>
    public async ValueTask<string?> EnsureStoreIdAsync(bool createForExisting = false, CancellationToken cancellationToken = default)
    {
        var existing = await GetStoreIdAsync(cancellationToken).ConfigureAwait(false);
        if (existing is not null || (!createForExisting && !await IsEmptyAsync(cancellationToken).ConfigureAwait(false)))
        {
            return existing;
        }

        await InsertStoreIdAsync(StoreIds.New(), cancellationToken).ConfigureAwait(false);
        return await GetStoreIdAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<bool> AdoptStoreIdAsync(string storeId, CancellationToken cancellationToken = default)
    {
        if (!StoreIds.IsWellFormed(storeId))
        {
            throw new ArgumentException("Not a store id.", nameof(storeId));
        }

        if (await GetStoreIdAsync(cancellationToken).ConfigureAwait(false) is { } existing)
        {
            return string.Equals(existing, storeId, StringComparison.Ordinal);
        }

        if (!await IsEmptyAsync(cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        await InsertStoreIdAsync(storeId, cancellationToken).ConfigureAwait(false);
        return string.Equals(await GetStoreIdAsync(cancellationToken).ConfigureAwait(false), storeId, StringComparison.Ordinal);
    }

    /// <summary>
    /// Creates the schema (<see cref="PostgreSqlSchema.CreateScript"/>) in one transaction under an advisory lock, so
    /// concurrent callers create it once. The new store gets its id from its first write, or from the store an
    /// <c>import</c> copies (<see cref="EnsureStoreIdAsync"/>). Idempotent when it exists; one that exists only in
    /// part is <c>SSB2025</c>. Returns true when this call created it. Run it as the role that is to own the schema: the
    /// owner is not held by row-level security, readers and writers are (docs/postgres.md).
    /// </summary>
    public Task<bool> CreateSchemaAsync(CancellationToken cancellationToken = default) =>
        RunAsync("create schema", async (connection, _, ct) =>
        {
            await using var transaction = await connection.BeginTransactionAsync(_isolation, ct).ConfigureAwait(false);
            await using var check = new NpgsqlBatch(connection, transaction);

            // Any role can take an advisory lock, this one too: bounded, and named when it is held (55P03).
            check.BatchCommands.Add(SetLockTimeout());
            var lockCommand = new NpgsqlBatchCommand("SELECT pg_advisory_xact_lock(hashtext($1))");
            lockCommand.Parameters.Add(Text("secretstore:create-schema:" + _schema.Name));
            var exists = new NpgsqlBatchCommand("SELECT to_regclass($1) IS NOT NULL, to_regclass($2) IS NOT NULL, to_regclass($3) IS NOT NULL, to_regclass($4) IS NOT NULL");
            foreach (var table in new[] { _schema.Secrets, _schema.History, _schema.Store, _schema.Access })
            {
                exists.Parameters.Add(Text(table));
            }

            check.BatchCommands.Add(lockCommand);
            check.BatchCommands.Add(exists);
            bool[] found;
            await using (var reader = await check.ExecuteReaderAsync(ct).ConfigureAwait(false))
            {
                await reader.NextResultAsync(ct).ConfigureAwait(false);
                await reader.NextResultAsync(ct).ConfigureAwait(false);
                await reader.ReadAsync(ct).ConfigureAwait(false);
                found = [reader.GetBoolean(0), reader.GetBoolean(1), reader.GetBoolean(2), reader.GetBoolean(3)];
            }

            if (found.All(f => f))
            {
                await transaction.CommitAsync(ct).ConfigureAwait(false);
                return false;
            }

            if (found.Any(f => f))
            {
                throw PostgreSqlErrors.SchemaMissing("create schema", _description, "(some of its tables exist, others do not; drop the partial schema or complete it by the script of docs/postgres.md)");
            }

            await using (var create = new NpgsqlCommand(_schema.CreateScript(), connection, transaction))
            {
                await create.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }

            await transaction.CommitAsync(ct).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    private static string? ParsedPassword(string connectionString)
    {
        try
        {
            return new NpgsqlConnectionStringBuilder(connectionString).Password;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException)
        {
            return null; // Create reports it, without the text.
        }
    }

    private static string Describe(NpgsqlConnectionStringBuilder where, string schema) =>
        $"the PostgreSQL store '{schema}' in database '{where.Database ?? where.Username}' on {where.Host}:{where.Port}";

    /// <summary>Names the store (host, port, database, schema); never the connection string.</summary>
    public override string ToString() => _description;

    /// <summary>Disposes the connection pool when this repository created it.</summary>
    public void Dispose()
    {
        if (_ownsDataSource)
        {
            _dataSource.Dispose();
        }
    }

    /// <summary>Disposes the connection pool when this repository created it.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_ownsDataSource)
        {
            await _dataSource.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Whether the store is new: no record and no history (a purge mark counts: its numbers must not be reused).</summary>
    private Task<bool> IsEmptyAsync(CancellationToken cancellationToken) =>
        RunAsync("read", async (connection, _, ct) =>
        {
            await using var command = new NpgsqlCommand($"SELECT {_schema.Function("is_empty")}()", connection);
            return (bool)(await command.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
        }, cancellationToken);

    private async Task InsertStoreIdAsync(string storeId, CancellationToken cancellationToken)
    {
        _ = await RunAsync("write store id", async (connection, _, ct) =>
        {
            // ON CONFLICT: another caller made it first; theirs is the store's id.
            await using var command = new NpgsqlCommand($"SELECT {_schema.Function("set_store_id")}($1, {PostgreSqlSchema.Version})", connection);
            command.Parameters.Add(Text(storeId));
            return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// One round trip for history reads: the kept revisions (all, or <paramref name="revision"/> only) and the current row,
    /// which stands for its own revision (<see cref="RecordHistory.WithCurrent"/>).
    /// </summary>
    private async Task<(List<SecretHistoryEntry> Kept, ProtectedSecretRecord? Current)> ReadHistoryAndCurrentAsync(NpgsqlConnection connection, SecretId id, long? revision, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(SelectHistory(id, revision));
        batch.BatchCommands.Add(SelectCurrent(id));
        var kept = new List<SecretHistoryEntry>();
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            kept.Add(RecordRows.ReadHistory(reader, _schema.History));
        }

        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        return (kept, await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? RecordRows.Read(reader, _schema.Secrets) : null);
    }

    /// <summary>What a write needs, read in one round trip inside its transaction: the locked row, the newest kept revision, the history's entry at the row's revision.</summary>
    private async Task<WriteState> ReadForWriteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, SecretId id, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection, transaction);
        batch.BatchCommands.Add(SetLockTimeout());
        var locked = new NpgsqlBatchCommand($"SELECT {PostgreSqlSchema.RecordColumns} FROM {_schema.Function("lock_secret")}($1, $2)");
        AddKey(locked.Parameters, id);
        batch.BatchCommands.Add(locked);
        batch.BatchCommands.Add(Call("newest_revision", id));
        var kept = new NpgsqlBatchCommand($"SELECT {PostgreSqlSchema.RecordColumns}, written_at, writer FROM {_schema.Function("kept_current")}($1, $2)");
        AddKey(kept.Parameters, id);
        batch.BatchCommands.Add(kept);

        long? revision = null;
        ProtectedSecretRecord? record = null;
        SecretHistoryEntry? keptEntry = null;
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            revision = reader.GetInt64(2);
            try
            {
                record = RecordRows.Read(reader, _schema.Secrets);
            }
            catch (InvalidProtectedDataException)
            {
                // A row that does not read cannot be kept; the write replaces it (as before history).
            }
        }

        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        var newestRevision = reader.IsDBNull(0) ? 0 : reader.GetInt64(0);
        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            try
            {
                keptEntry = RecordRows.ReadHistory(reader, _schema.History);
            }
            catch (InvalidProtectedDataException)
            {
                // An unreadable history entry is kept as it is; the current row is then kept beside it.
            }
        }

        return new WriteState(revision, record, newestRevision, keptEntry);
    }

    /// <summary>The newest revision a write must count past, and the entry to add for a replaced record the history does not keep.</summary>
    private static (long Newest, SecretHistoryEntry? Unkept) Tip(WriteState state)
    {
        var unkept = RecordHistory.Unkept(state.Record, state.NewestInHistory, state.KeptAtRevision);
        return (unkept is null ? state.NewestInHistory : Math.Max(state.NewestInHistory, unkept.Revision), unkept);
    }

    private void AddUnkeptAndPrune(NpgsqlBatch batch, SecretId id, SecretHistoryEntry? unkept)
    {
        if (unkept is not null)
        {
            batch.BatchCommands.Add(InsertHistory(id, unkept.Revision, unkept.Record, null, null));
        }

        if (_history.KeepRevisions is { } keep)
        {
            // In the same transaction as the write: the retention never lags behind (DynamoDB prunes after its write).
            batch.BatchCommands.Add(Prune(id, keep));
        }
    }

    private NpgsqlBatchCommand SelectCurrent(SecretId id)
    {
        var command = new NpgsqlBatchCommand(ReadSecretsSql);
        AddKeys(command.Parameters, [id]);
        return command;
    }

    /// <summary>The reads of many records by key: the keys travel as two arrays.</summary>
    private string ReadSecretsSql => $"SELECT {PostgreSqlSchema.RecordColumns} FROM {_schema.Function("read_secrets")}($1, $2)";

    /// <summary>
    /// Bounds the wait for a row another transaction holds (<see cref="PostgreSqlSecretRepositoryOptions.LockTimeout"/>)
    /// for this transaction only: without it a write behind a stuck one waits for the command timeout.
    /// </summary>
    private NpgsqlBatchCommand SetLockTimeout()
    {
        var command = new NpgsqlBatchCommand("SELECT pg_catalog.set_config('lock_timeout', $1, true)");
        command.Parameters.Add(Text(((long)_lockTimeout.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture) + "ms"));
        return command;
    }

    /// <summary><c>SELECT schema.function($1, $2)</c> with the key.</summary>
    private NpgsqlBatchCommand Call(string function, SecretId id)
    {
        var command = new NpgsqlBatchCommand($"SELECT {_schema.Function(function)}($1, $2)");
        AddKey(command.Parameters, id);
        return command;
    }

    private NpgsqlBatchCommand Prune(SecretId id, long keep)
    {
        var command = new NpgsqlBatchCommand($"SELECT {_schema.Function("prune_history")}($1, $2, $3)");
        AddKey(command.Parameters, id);
        command.Parameters.Add(new NpgsqlParameter { Value = keep, NpgsqlDbType = NpgsqlDbType.Bigint });
        return command;
    }

    private NpgsqlBatchCommand SelectHistory(SecretId id, long? revision)
    {
        var command = new NpgsqlBatchCommand(
            $"SELECT {PostgreSqlSchema.RecordColumns}, written_at, writer FROM {_schema.Function("read_history")}($1, $2, $3)");
        AddKey(command.Parameters, id);
        command.Parameters.Add(new NpgsqlParameter { Value = revision is { } wanted ? wanted : DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });

        return command;
    }

    private NpgsqlBatchCommand InsertCurrent(ProtectedSecretRecord record, long revision)
    {
        var command = new NpgsqlBatchCommand($"SELECT {_schema.Function("insert_secret")}($1, $2, $3, $4, $5, $6, $7, $8, $9)");
        RecordRows.AddRecordParameters(command.Parameters, record.Id, revision, record);
        return command;
    }

    private NpgsqlBatchCommand UpdateCurrent(ProtectedSecretRecord record, long revision)
    {
        var command = new NpgsqlBatchCommand($"SELECT {_schema.Function("update_secret")}($1, $2, $3, $4, $5, $6, $7, $8, $9)");
        RecordRows.AddRecordParameters(command.Parameters, record.Id, revision, record);
        return command;
    }

    private NpgsqlBatchCommand InsertHistory(SecretId id, long revision, ProtectedSecretRecord? record, DateTimeOffset? writtenAt, string? writer)
    {
        var command = new NpgsqlBatchCommand($"SELECT {_schema.Function("insert_history")}($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)");
        RecordRows.AddRecordParameters(command.Parameters, id, revision, record);
        command.Parameters.Add(new NpgsqlParameter { Value = writtenAt is { } at ? at.UtcDateTime : DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(Text(writer));
        return command;
    }

    /// <summary>
    /// Runs a write's statements and commits; a unique key taken meanwhile (a concurrent creator of the same record, or of
    /// the same revision, committed first) is the conflict of a lost race, naming the revision stored now.
    /// </summary>
    private async Task CommitWritesAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, NpgsqlBatch batch, SecretId id, long expectedRevision, CancellationToken cancellationToken)
    {
        try
        {
            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException e) when (PostgreSqlErrors.IsUniqueViolation(e))
        {
            await transaction.RollbackAsync(CancellationToken.None).ConfigureAwait(false);
            throw new ConcurrencyConflictException(id, expectedRevision, await CurrentRevisionAsync(connection, id, cancellationToken).ConfigureAwait(false) ?? 0);
        }
    }

    private async Task<long?> CurrentRevisionAsync(NpgsqlConnection connection, SecretId id, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"SELECT revision FROM {_schema.Function("read_secrets")}($1, $2)", connection);
        AddKeys(command.Parameters, [id]);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long revision ? revision : null;
    }

    private static void AddKey(NpgsqlParameterCollection parameters, SecretId id)
    {
        parameters.Add(Text(id.ApplicationName));
        parameters.Add(Text(id.Name));
    }

    private static void AddKeys(NpgsqlParameterCollection parameters, IReadOnlyCollection<SecretId> ids)
    {
        parameters.Add(new NpgsqlParameter { Value = ids.Select(i => i.ApplicationName).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        parameters.Add(new NpgsqlParameter { Value = ids.Select(i => i.Name).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
    }

    private static NpgsqlParameter Text(string? value) => new() { Value = (object?)value ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text };

    /// <summary>
    /// Runs <paramref name="unit"/> on a pooled connection, again after a failure that <see cref="PostgreSqlErrors.IsRetryable"/>
    /// allows (the unit is told it is a retry), with exponential back-off; maps what is left to a coded error.
    /// </summary>
    private async Task<T> RunAsync<T>(string operation, Func<NpgsqlConnection, bool, CancellationToken, Task<T>> unit, CancellationToken cancellationToken, bool retryUniqueViolation = false)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                return await unit(connection, attempt > 1, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (!IsCallerCancellation(e, cancellationToken) && attempt < _maxAttempts
                && (PostgreSqlErrors.IsRetryable(e) || (retryUniqueViolation && PostgreSqlErrors.IsUniqueViolation(e))))
            {
                if (PostgreSqlErrors.IsConnectionFailure(e))
                {
                    // A restarted server broke every idle connection of the pool, not just this one.
                    _dataSource.Clear();
                }

                await BackOffAsync(attempt - 1, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (!IsCallerCancellation(e, cancellationToken))
            {
                throw PostgreSqlErrors.Map(e, operation, _description, attempt);
            }
        }
    }

    private Task BackOffAsync(int retry, CancellationToken cancellationToken)
    {
        var delay = Math.Min(_retryBaseDelay.TotalMilliseconds * Math.Pow(2, retry), 2000);
        return Delay(TimeSpan.FromMilliseconds(delay * (0.5 + (Random.Shared.NextDouble() / 2))), cancellationToken);
    }

    private static void EnsureWellFormed(SecretId id)
    {
        StoredIds.EnsureWellFormed(id);
        if (System.Text.Encoding.UTF8.GetByteCount(id.ApplicationName) > PostgreSqlSchema.MaxTextBytes || System.Text.Encoding.UTF8.GetByteCount(id.Name) > PostgreSqlSchema.MaxTextBytes)
        {
            throw new SecretStoreException(DiagnosticCodes.InvalidSecret, $"A secret id is longer than the {PostgreSqlSchema.MaxTextBytes} bytes (UTF-8) a PostgreSQL store holds for an application or a secret name.");
        }

        if (id.ApplicationName.Contains('\0', StringComparison.Ordinal) || id.Name.Contains('\0', StringComparison.Ordinal))
        {
            // PostgreSQL text cannot hold NUL.
            throw new SecretStoreException(DiagnosticCodes.InvalidSecret, "A secret id contains a NUL character, which PostgreSQL text cannot hold.");
        }
    }

    /// <summary>The caller's own cancellation stays an <see cref="OperationCanceledException"/>.</summary>
    private static bool IsCallerCancellation(Exception e, CancellationToken cancellationToken) =>
        e is OperationCanceledException && cancellationToken.IsCancellationRequested;

    private sealed record WriteState(long? Revision, ProtectedSecretRecord? Record, long NewestInHistory, SecretHistoryEntry? KeptAtRevision);
}
