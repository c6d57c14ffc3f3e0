using System.Text;
using SecretStore.Keys.Rsa;
using SecretStore.Repositories;
using SecretStore.Repositories.File;
using SecretStore.Secrets;
using SecretStore.Stores;

namespace SecretStore.Testing.Records;

/// <summary>How <see cref="V1Rows.TamperLastBlock"/> changes the last CBC block of a v1 row.</summary>
public enum V1Tampering
{
    /// <summary>The last block decrypts with an invalid PKCS#7 padding byte (0x00).</summary>
    BadPadding,

    /// <summary>The padding stays valid, but the block's first byte becomes 0xFF: invalid UTF-8.</summary>
    BadUtf8,
}

/// <summary>
/// v1 (reference format) rows for the v1 policy tests: planted into a file store through the engine with the
/// opt-in, and tampered the way a padding-oracle attacker does (CBC malleability on the block before the last).
/// </summary>
public static class V1Rows
{
    /// <summary>Writes <paramref name="value"/> as a v1 record into the file store, the way an old store holds it.</summary>
    public static async Task<ProtectedSecretRecord> PlantAsync(string storePath, string keyringPath, SecretId id, string value)
    {
        using var keyring = RsaKeyring.Load(keyringPath);
        var repository = new FileSecretRepository(storePath);
        var store = new EnvelopeSecretStore(repository, new RsaKeyManager(keyring), new EnvelopeSecretStoreOptions { DefaultKeyId = keyring.DefaultKeyId, AllowV1 = true });
        await store.SetAsync(id, value, new SetSecretOptions { Format = ProtectedSecretFormat.V1 });
        return (await repository.GetAsync(id))!;
    }

    /// <summary>Replaces the stored record of <paramref name="record"/>'s id by <paramref name="record"/>, as a store writer can.</summary>
    public static async Task ReplaceAsync(string storePath, ProtectedSecretRecord record)
    {
        var repository = new FileSecretRepository(storePath);
        var current = await repository.GetAsync(record.Id);
        await repository.SaveAsync(record, current?.Revision ?? 0);
    }

    /// <summary>
    /// The record with its last CBC block made to decrypt to a chosen plaintext: XOR the block before it (the IV
    /// for a one-block value) with the difference between the known plaintext and the wanted one. The signature
    /// of v1 covers neither, so the row still verifies. <paramref name="knownValue"/> must not fill whole blocks.
    /// </summary>
    public static ProtectedSecretRecord TamperLastBlock(ProtectedSecretRecord record, string knownValue, V1Tampering tampering)
    {
        ArgumentNullException.ThrowIfNull(record);
        var plain = Encoding.UTF8.GetBytes(knownValue);
        if (plain.Length % 16 == 0)
        {
            throw new ArgumentException("The value must leave room for data bytes in its last block.", nameof(knownValue));
        }

        var pad = 16 - (plain.Length % 16);
        var padded = new byte[plain.Length + pad];
        plain.CopyTo(padded, 0);
        padded.AsSpan(plain.Length).Fill((byte)pad);

        var last = padded.AsSpan(padded.Length - 16).ToArray();
        var wanted = (byte[])last.Clone();
        if (tampering == V1Tampering.BadPadding)
        {
            wanted[15] = 0x00;
        }
        else
        {
            wanted[0] = 0xFF;
        }

        var iv = (byte[])record.InitialisationVector!.Clone();
        var ciphertext = (byte[])record.ProtectedSecretValue!.Clone();
        var previous = ciphertext.Length == 16 ? iv.AsSpan() : ciphertext.AsSpan(ciphertext.Length - 32, 16);
        for (var i = 0; i < 16; i++)
        {
            previous[i] ^= (byte)(last[i] ^ wanted[i]);
        }

        return record with { InitialisationVector = iv, ProtectedSecretValue = ciphertext };
    }
}
