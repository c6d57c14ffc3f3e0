using System.Security.Cryptography;
using SecretStore.Cli.Tests.Infrastructure;
using SecretStore.Keys.Rsa;

namespace SecretStore.Cli.Tests.Commands;

public sealed class KeysCommandTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Init_prints_the_key_id_and_writes_owner_only_private_keys_and_list_shows_halves()
    {
        var init = await CliProcess.RunAsync(_folder.Path, ["keys", "init", "kr", "--key-id", "alias/app-key", "--key-size", "2048"]);

        Assert.True(init.ExitCode == 0, init.ToString());
        Assert.Equal("alias/app-key\n", init.Stdout);
        Assert.True(File.Exists(_folder.Combine("kr", RsaKeyring.IndexFileName)));
        if (!OperatingSystem.IsWindows())
        {
            var privateFiles = Directory.GetFiles(_folder.Combine("kr"), "*.private.pem", SearchOption.AllDirectories);
            Assert.Equal(2, privateFiles.Length);
            foreach (var file in privateFiles)
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
            }
        }

        var list = await CliProcess.RunAsync(_folder.Path, ["keys", "list", "kr"]);
        var (key, signing) = PublicFingerprints("kr", "alias/app-key");
        Assert.Equal($"alias/app-key\t2048\tpublic+private\t{key}\tdefault\n(signing)\t2048\tpublic+private\t{signing}\n(anchor)\t{signing}\n", list.Stdout);
        ValueScanner.AssertNoValue(list.Stdout + init.Stdout + init.Stderr, "keys output", "PRIVATE KEY");
    }

    [Fact]
    public async Task Add_imports_pkcs1_pem_xml_and_public_only_keys_into_a_new_keyring_and_a_signing_key()
    {
        using var pkcs1 = RSA.Create(2048);
        using var xml = RSA.Create(2048);
        using var writeOnly = RSA.Create(2048);
        using var signing = RSA.Create(2048);
        _folder.Write("pkcs1.pem", pkcs1.ExportRSAPrivateKeyPem());
        _folder.Write("key.xml", xml.ToXmlString(includePrivateParameters: true));
        _folder.Write("public.pem", writeOnly.ExportSubjectPublicKeyInfoPem());
        _folder.Write("signing.pem", signing.ExportPkcs8PrivateKeyPem());

        var first = await CliProcess.RunAsync(_folder.Path, ["keys", "add", "kr", "--key-id", "legacy-pkcs1", "--private-key", "pkcs1.pem"]);
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Equal("legacy-pkcs1\n", first.Stdout);
        var second = await CliProcess.RunAsync(_folder.Path, ["keys", "add", "kr", "--key-id", "from-xml", "--private-key", "key.xml", "--default", "--signing-key", "signing.pem"]);
        Assert.True(second.ExitCode == 0, second.ToString());
        var third = await CliProcess.RunAsync(_folder.Path, ["keys", "add", "kr", "--key-id", "write-only", "--public-key", "public.pem"]);
        Assert.True(third.ExitCode == 0, third.ToString());

        var list = await CliProcess.RunAsync(_folder.Path, ["keys", "list", "kr"]);
        var anchor = Fingerprint(signing);
        Assert.Equal(
            $"from-xml\t2048\tpublic+private\t{Fingerprint(xml)}\tdefault\nlegacy-pkcs1\t2048\tpublic+private\t{Fingerprint(pkcs1)}\nwrite-only\t2048\tpublic\t{Fingerprint(writeOnly)}\n"
            + $"(signing)\t2048\tpublic+private\t{anchor}\n(anchor)\t{anchor}\n",
            list.Stdout);
        using var keyring = RsaKeyring.Load(_folder.Combine("kr"));
        Assert.Equal(signing.ExportSubjectPublicKeyInfoPem(), keyring.ExportSigningPublicKeyPem());
        Assert.Equal(xml.ExportSubjectPublicKeyInfoPem(), keyring.ExportPublicKeyPem("from-xml"));
    }

    /// <summary>The fingerprint computed here, independently of the engine: SHA-256 of the DER SubjectPublicKeyInfo.</summary>
    private static string Fingerprint(RSA key) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()));

    private (string Key, string Signing) PublicFingerprints(string folder, string keyId)
    {
        using var keyring = RsaKeyring.Load(_folder.Combine(folder));
        using var key = RSA.Create();
        key.ImportFromPem(keyring.ExportPublicKeyPem(keyId));
        using var signing = RSA.Create();
        signing.ImportFromPem(keyring.ExportSigningPublicKeyPem());
        return (Fingerprint(key), Fingerprint(signing));
    }

    [Fact]
    public async Task Add_without_a_key_file_is_a_usage_error_and_a_non_key_file_is_SSB3007()
    {
        var usage = await CliProcess.RunAsync(_folder.Path, ["keys", "add", "kr", "--key-id", "x"]);
        Assert.Equal(2, usage.ExitCode);
        Assert.Contains("error SSB0001", usage.Stderr, StringComparison.Ordinal);

        _folder.Write("not-a-key.pem", "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n");
        var bad = await CliProcess.RunAsync(_folder.Path, ["keys", "add", "kr", "--key-id", "x", "--private-key", "not-a-key.pem"]);
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("error SSB3007", bad.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("bm90IGEga2V5", bad.Stderr, StringComparison.Ordinal);
    }
}
