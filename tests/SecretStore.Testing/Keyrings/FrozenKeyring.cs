using SecretStore.Keys.Rsa;

namespace SecretStore.Testing.Keyrings;

/// <summary>
/// Opens the engine's frozen vector keyring (tests/SecretStore.Tests/Vectors/keyring) for reading the way its owner
/// would after this version: a checkout writes every file 644 and its private key files predate trust anchors, so
/// it is copied with owner-only private files, and read through the reader secret exported from that trusted copy.
/// </summary>
public static class FrozenKeyring
{
    public static RsaKeyring OpenForReading(string frozenFolder, string workFolder)
    {
        var copy = Path.Combine(workFolder, "frozen-keyring");
        foreach (var file in Directory.EnumerateFiles(frozenFolder, "*", SearchOption.AllDirectories))
        {
            var destination = Path.Combine(copy, Path.GetRelativePath(frozenFolder, file));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination);
            if (!OperatingSystem.IsWindows() && destination.EndsWith(".private.pem", StringComparison.Ordinal))
            {
                File.SetUnixFileMode(destination, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }

        string readerSecret;
        using (var trusted = RsaKeyring.Load(copy))
        {
            readerSecret = trusted.ExportReaderSecret();
        }

        return RsaKeyring.Load(copy, new RsaKeyringLoadOptions { PrivateKeyPem = readerSecret });
    }
}
