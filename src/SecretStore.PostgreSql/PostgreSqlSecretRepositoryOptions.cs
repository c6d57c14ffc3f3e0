using SecretStore.Repositories.History;

namespace SecretStore.PostgreSql;

/// <summary>Options of <see cref="PostgreSqlSecretRepository"/>.</summary>
public sealed record PostgreSqlSecretRepositoryOptions
{
    /// <summary>The schema that holds the store's tables (<see cref="PostgreSqlSchema.DefaultName"/> unless set).</summary>
    public string Schema { get; init; } = PostgreSqlSchema.DefaultName;

    /// <summary>How revisions are kept (retention, the writer's name, the clock).</summary>
    public HistoryOptions History { get; init; } = new();

    /// <summary>
    /// How often one operation is tried when the connection fails, the server restarts, or a concurrent writer causes a
    /// serialization failure or deadlock (default 6: about 3 s of back-off, which a server restart fits in). At least 1.
    /// </summary>
    public int MaxAttempts { get; init; } = 6;

    /// <summary>
    /// The isolation level of the write transactions (default <see cref="System.Data.IsolationLevel.ReadCommitted"/>: the
    /// row is locked with <c>FOR UPDATE</c> and its revision checked, which is enough). RepeatableRead or Serializable
    /// (where a policy asks for it) turn a concurrent writer into serialization failures, which are retried: the unit
    /// re-reads and re-checks its condition. The database's <c>default_transaction_isolation</c> does not apply: Npgsql
    /// begins each transaction at the level it is given.
    /// </summary>
    public System.Data.IsolationLevel IsolationLevel { get; init; } = System.Data.IsolationLevel.ReadCommitted;

    /// <summary>
    /// How long a write waits for the row of a secret another transaction holds (default 5 s), then gives up with
    /// <c>SSB2005</c> (lock timeout, <c>55P03</c>) and writes nothing. Set for the write's transaction only.
    /// </summary>
    public TimeSpan LockTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The first back-off (doubled each time, at most 2 s, with jitter to half of it).</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromMilliseconds(100);
}
