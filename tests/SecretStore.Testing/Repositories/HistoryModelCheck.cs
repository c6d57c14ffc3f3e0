using System.Globalization;
using System.Text;
using SecretStore.Diagnostics;
using SecretStore.Repositories;
using SecretStore.Repositories.History;
using SecretStore.Secrets;

namespace SecretStore.Testing.Repositories;

/// <summary>
/// A property check of a repository's history against <see cref="InMemorySecretRepository"/> (the model): a random
/// sequence of saves (right and stale expected revisions, imports at a chosen revision), deletes and purges on two
/// secrets whose names share a prefix, run on both; after every step the outcomes, the current records, every history
/// and every pinned read must agree. The same check runs on the file store and on DynamoDB Local, so both number,
/// keep and prune revisions the same way.
/// </summary>
public static class HistoryModelCheck
{
    /// <summary>Two names where one is the other's prefix plus <c>#</c>: a history keyed by "name#revision" must not mix them.</summary>
    public static readonly string[] Names = ["Db", "Db#0000000000000000002"];

    /// <summary>
    /// Runs <paramref name="steps"/> random operations from <paramref name="seed"/> on <paramref name="repository"/>
    /// and on a fresh model with the same retention; throws (naming the seed and step) at the first difference.
    /// </summary>
    public static async Task RunAsync(IProtectedSecretRepository repository, string applicationName, int seed, int steps, int? keepRevisions = null)
    {
        ArgumentNullException.ThrowIfNull(repository);
        var model = new InMemorySecretRepository { KeepRevisions = keepRevisions };
        var random = new Random(seed);
        var log = new StringBuilder();
        for (var step = 0; step < steps; step++)
        {
            var id = new SecretId(applicationName, Names[random.Next(Names.Length)]);
            var current = (await model.GetAsync(id).ConfigureAwait(false))?.Revision ?? 0;
            var roll = random.Next(100);
            Func<IProtectedSecretRepository, ProtectedSecretRecord, Task<string>> operation;
            string description;
            if (roll < 45)
            {
                var expected = random.Next(5) == 0 ? current + 1 + random.Next(2) : current;
                description = $"save {id.Name} expecting {expected}";
                operation = async (r, record) => $"revision {await r.SaveAsync(record, expected).ConfigureAwait(false)}";
            }
            else if (roll < 55)
            {
                var wanted = current + 1 + random.Next(4);
                description = $"save {id.Name} expecting {current} at revision {wanted}";
                operation = async (r, record) => $"revision {await r.SaveAtRevisionAsync(record, current, wanted).ConfigureAwait(false)}";
            }
            else if (roll < 85)
            {
                long? expected = random.Next(3) switch { 0 => null, 1 => current, _ => current + 1 };
                description = $"delete {id.Name} expecting {expected?.ToString(CultureInfo.InvariantCulture) ?? "any"}";
                operation = async (r, _) => $"deleted {await r.DeleteAsync(id, expected).ConfigureAwait(false)}";
            }
            else
            {
                description = $"purge {id.Name}";
                operation = async (r, _) => $"purged {await r.PurgeAsync(id).ConfigureAwait(false)}";
            }

            log.Append(CultureInfo.InvariantCulture, $"{step}: {description}; ");
            var written = new ProtectedSecretRecord
            {
                Id = id,
                Format = ProtectedSecretFormat.V2,
                MasterKeyId = "key-" + random.Next(3).ToString(CultureInfo.InvariantCulture),
                Envelope = Encoding.UTF8.GetBytes($"envelope {seed} {step} {random.Next()}"),
            };
            var expectedOutcome = await OutcomeAsync(() => operation(model, written)).ConfigureAwait(false);
            var actualOutcome = await OutcomeAsync(() => operation(repository, written)).ConfigureAwait(false);
            Check(expectedOutcome == actualOutcome, seed, log, $"the outcome was '{actualOutcome}', the model's '{expectedOutcome}'");
            foreach (var name in Names)
            {
                await CompareAsync(model, repository, new SecretId(applicationName, name), seed, log).ConfigureAwait(false);
            }
        }
    }

    private static async Task CompareAsync(InMemorySecretRepository model, IProtectedSecretRepository repository, SecretId id, int seed, StringBuilder log)
    {
        var expectedCurrent = await model.GetAsync(id).ConfigureAwait(false);
        var actualCurrent = await repository.GetAsync(id).ConfigureAwait(false);
        Check(
            expectedCurrent is null ? actualCurrent is null : actualCurrent is not null && RecordHistory.SameRecord(expectedCurrent, actualCurrent),
            seed, log, $"the current record of {id.Name} differs (revision {actualCurrent?.Revision}, the model's {expectedCurrent?.Revision})");

        var expected = await model.GetHistoryAsync(id).ConfigureAwait(false);
        var actual = await repository.GetHistoryAsync(id).ConfigureAwait(false);
        Check(Describe(expected) == Describe(actual), seed, log, $"the history of {id.Name} is [{Describe(actual)}], the model's [{Describe(expected)}]");
        for (var i = 0; i < expected.Count; i++)
        {
            Check(
                expected[i].Record is null || RecordHistory.SameRecord(expected[i].Record!, actual[i].Record!),
                seed, log, $"revision {expected[i].Revision} of {id.Name} holds other bytes than the model's");
        }

        var newest = expected.Count > 0 ? expected[^1].Revision : 0;
        for (var revision = 1L; revision <= newest + 1; revision++)
        {
            var pinnedExpected = await model.GetRevisionAsync(id, revision).ConfigureAwait(false);
            var pinnedActual = await repository.GetRevisionAsync(id, revision).ConfigureAwait(false);
            Check(
                Describe(pinnedExpected is null ? [] : [pinnedExpected]) == Describe(pinnedActual is null ? [] : [pinnedActual])
                && (pinnedExpected?.Record is null || RecordHistory.SameRecord(pinnedExpected.Record, pinnedActual!.Record!)),
                seed, log, $"the pinned read of {id.Name} revision {revision} differs");
        }
    }

    private static string Describe(IReadOnlyList<SecretHistoryEntry> entries) =>
        string.Join(", ", entries.Select(e => e.Revision.ToString(CultureInfo.InvariantCulture) + (e.IsDeletion ? " deleted" : string.Empty)));

    private static async Task<string> OutcomeAsync(Func<Task<string>> operation)
    {
        try
        {
            return await operation().ConfigureAwait(false);
        }
        catch (ConcurrencyConflictException)
        {
            return "conflict";
        }
    }

    private static void Check(bool condition, int seed, StringBuilder log, string what)
    {
        if (!condition)
        {
            throw new InvalidOperationException($"History model check, seed {seed}: {what}. Steps: {log}");
        }
    }
}
