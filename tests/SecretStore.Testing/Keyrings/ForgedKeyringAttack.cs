using SecretStore.Keys.Rsa;
using SecretStore.Repositories.File;
using SecretStore.Secrets;
using SecretStore.Stores;

namespace SecretStore.Testing.Keyrings;

/// <summary>
/// The keyring-folder attack of issue 12 item 1, staged with the engine's own API on a committed keyring (public
/// halves only) and its store file: the attacker makes his own keyring, imports the victim's PUBLIC encryption key
/// under the same key id, writes a record with his own signing key, and replaces <c>keyring.json</c>,
/// <c>signing.public.pem</c>, the public key files and the store file, as a pull request could.
/// </summary>
public static class ForgedKeyringAttack
{
    /// <summary>
    /// Removes every private key file from <paramref name="committedKeyring"/> (what a repository holds) and returns
    /// their text: the private encryption key file of <paramref name="keyId"/> is the reader's secret.
    /// </summary>
    public static string StripPrivateKeys(string committedKeyring, string keyId)
    {
        string? readerSecret = null;
        var stem = "keys" + Path.DirectorySeparatorChar;
        foreach (var file in Directory.GetFiles(committedKeyring, "*.private.pem", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(committedKeyring, file);
            if (relative.StartsWith(stem, StringComparison.Ordinal) && Path.GetFileName(file).StartsWith(KeyStem(keyId), StringComparison.Ordinal))
            {
                readerSecret = File.ReadAllText(file);
            }

            File.Delete(file);
        }

        return readerSecret ?? throw new InvalidOperationException($"The keyring '{committedKeyring}' holds no private key file for '{keyId}'.");
    }

    /// <summary>Stages the attack: afterwards the folder and the store file are the attacker's, and <paramref name="id"/> holds <paramref name="forgedValue"/>.</summary>
    public static async Task ApplyAsync(string committedKeyring, string storeFile, string keyId, SecretId id, string forgedValue, string attackerFolder)
    {
        string victimPublicKey;
        using (var victim = RsaKeyring.Load(committedKeyring))
        {
            victimPublicKey = victim.ExportPublicKeyPem(keyId);
        }

        var attackerKeyring = Path.Combine(attackerFolder, "attacker-keyring");
        using (var attacker = RsaKeyring.Create(attackerKeyring, "attacker-own", RsaKeyring.MinimumKeySizeInBits))
        {
            attacker.ImportKey(keyId, victimPublicKey, makeDefault: true);
            using var store = new EnvelopeSecretStore(
                new FileSecretRepository(storeFile),
                new RsaKeyManager(attacker),
                new EnvelopeSecretStoreOptions { DefaultKeyId = keyId });
            await store.SetAsync(id, forgedValue);
        }

        // The pull request: the attacker's index, signing public key and public key files replace the committed ones.
        foreach (var file in Directory.GetFiles(attackerKeyring, "*", SearchOption.AllDirectories))
        {
            if (file.EndsWith(".private.pem", StringComparison.Ordinal))
            {
                continue;
            }

            var target = Path.Combine(committedKeyring, Path.GetRelativePath(attackerKeyring, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target, overwrite: true);
        }
    }

    private static string KeyStem(string keyId)
    {
        var slug = new System.Text.StringBuilder();
        foreach (var c in keyId)
        {
            slug.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_');
        }

        return slug + "-";
    }
}
