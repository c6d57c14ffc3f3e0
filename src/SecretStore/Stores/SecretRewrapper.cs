using SecretStore.Repositories;
using SecretStore.Secrets;

namespace SecretStore.Stores;

/// <summary>What <see cref="SecretRewrapper.RewrapAsync"/> should do.</summary>
public sealed record RewrapOptions
{
    /// <summary>The key to move every record to; null keeps each record's own key (v1 records are still made v2).</summary>
    public string? KeyId { get; init; }

    /// <summary>Only these secret names; null or empty for every secret of the application.</summary>
    public IReadOnlyCollection<string>? Names { get; init; }

    /// <summary>List what would change without writing anything.</summary>
    public bool DryRun { get; init; }
}

/// <summary>The outcome for one secret: names, keys and formats, never a value.</summary>
/// <param name="Id">The secret.</param>
/// <param name="Before">Its metadata before the run.</param>
/// <param name="After">Its metadata after the run; equal to <paramref name="Before"/> when nothing changed.</param>
/// <param name="Changed">True when the record was (or, in a dry run, would be) rewritten.</param>
public sealed record RewrapOutcome(SecretId Id, SecretMetadata Before, SecretMetadata After, bool Changed);

/// <summary>
/// Re-encrypts stored secrets as v2 records, optionally under another master key, inside the engine: each
/// value is decrypted and protected again in memory and never returned to the caller. Each write is
/// conditional on the revision just read, so a concurrent change gives a conflict instead of a lost update.
/// </summary>
public static class SecretRewrapper
{
    /// <summary>
    /// Rewraps the secrets of <paramref name="applicationName"/> that are v1 or under another key than
    /// <see cref="RewrapOptions.KeyId"/>. Records already in the target shape are left alone. Errors throw
    /// <see cref="Diagnostics.SecretStoreException"/>; records rewritten before the error stay rewritten.
    /// </summary>
    public static async Task<IReadOnlyList<RewrapOutcome>> RewrapAsync(
        ISecretStore store,
        string applicationName,
        RewrapOptions options,
        IProgress<int>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrEmpty(applicationName);
        ArgumentNullException.ThrowIfNull(options);
        var names = options.Names is { Count: > 0 } n ? n.ToHashSet(StringComparer.Ordinal) : null;
        var listed = await store.ListAsync(applicationName, cancellationToken).ConfigureAwait(false);
        var outcomes = new List<RewrapOutcome>();
        foreach (var before in listed.Where(m => names is null || names.Contains(m.Id.Name)))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var targetKey = options.KeyId ?? before.MasterKeyId;
            var needed = before.Format != ProtectedSecretFormat.V2 || !string.Equals(before.MasterKeyId, targetKey, StringComparison.Ordinal);
            if (!needed || options.DryRun)
            {
                outcomes.Add(new RewrapOutcome(before.Id, before, before, needed));
                progress?.Report(outcomes.Count);
                continue;
            }

            var secret = await store.GetAsync(before.Id, cancellationToken).ConfigureAwait(false);
            var after = await store.SetAsync(
                before.Id,
                secret.Value,
                new SetSecretOptions { KeyId = targetKey, ExpectedRevision = secret.Metadata.Revision, Format = ProtectedSecretFormat.V2 },
                cancellationToken).ConfigureAwait(false);
            outcomes.Add(new RewrapOutcome(before.Id, secret.Metadata, after, true));
            progress?.Report(outcomes.Count);
        }

        return outcomes;
    }
}
