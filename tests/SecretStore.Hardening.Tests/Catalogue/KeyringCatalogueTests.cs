using System.Text.Json.Nodes;
using SecretStore.Diagnostics;
using SecretStore.Hardening.Tests.Support;
using SecretStore.Keys.Rsa;

namespace SecretStore.Hardening.Tests.Catalogue;

/// <summary>keyring.json that tries to lead out of its folder: by path text (absolute, ..) or through a symbolic link.</summary>
public sealed class KeyringCatalogueTests : IClassFixture<KeyringFixture>, IDisposable
{
    private readonly TempDirectory _tree = new();
    private readonly string _keyring;
    private readonly string _outside;

    public KeyringCatalogueTests(KeyringFixture fixture)
    {
        _keyring = Path.Combine(_tree.Path, "keyring");
        CopyDirectory(fixture.KeyringPath, _keyring);
        _outside = Path.Combine(_tree.Path, "outside");
        Directory.CreateDirectory(_outside);
        // A real key outside the folder: the refusal must come from the path rule, not from a parse failure.
        var publicPem = Directory.GetFiles(Path.Combine(_keyring, "keys"), "*.public.pem")[0];
        File.Copy(publicPem, Path.Combine(_outside, "stolen.pem"));
    }

    public void Dispose() => _tree.Dispose();

    [Theory]
    [InlineData("../outside/stolen.pem")]
    [InlineData("keys/../../outside/stolen.pem")]
    [InlineData("ABSOLUTE")]
    public void Keyring_json_pointing_outside_its_folder_is_SSB3007(string path)
    {
        EditFirstKey(path == "ABSOLUTE" ? Path.Combine(_outside, "stolen.pem") : path);

        var error = Assert.ThrowsAny<SecretStoreException>(() => RsaKeyring.Load(_keyring));

        Assert.Equal(DiagnosticCodes.InvalidKeyring, error.Code);
    }

    [Fact]
    public void Key_file_that_is_a_symbolic_link_out_of_the_folder_is_SSB3007()
    {
        File.CreateSymbolicLink(Path.Combine(_keyring, "keys", "linked.pem"), Path.Combine(_outside, "stolen.pem"));
        EditFirstKey("keys/linked.pem");

        var error = Assert.ThrowsAny<SecretStoreException>(() => RsaKeyring.Load(_keyring));

        Assert.Equal(DiagnosticCodes.InvalidKeyring, error.Code);
        Assert.Contains("symbolic link", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Sub_folder_that_is_a_symbolic_link_out_of_the_folder_is_SSB3007()
    {
        Directory.CreateSymbolicLink(Path.Combine(_keyring, "elsewhere"), _outside);
        EditFirstKey("elsewhere/stolen.pem");

        var error = Assert.ThrowsAny<SecretStoreException>(() => RsaKeyring.Load(_keyring));

        Assert.Equal(DiagnosticCodes.InvalidKeyring, error.Code);
    }

    [Fact]
    public void Two_links_that_each_look_inside_but_together_lead_out_of_the_folder_are_SSB3007()
    {
        // Issue 12 item 9: d1 -> ../outside, a -> d1/sub; keyring.json names a/victim.pem. Following a's own chain
        // ends at <keyring>/d1/sub, which reads as inside; only the real path of the whole file is outside.
        Directory.CreateDirectory(Path.Combine(_outside, "sub"));
        File.Copy(Path.Combine(_outside, "stolen.pem"), Path.Combine(_outside, "sub", "victim.pem"));
        Directory.CreateSymbolicLink(Path.Combine(_keyring, "d1"), Path.Combine("..", "outside"));
        Directory.CreateSymbolicLink(Path.Combine(_keyring, "a"), Path.Combine("d1", "sub"));
        EditFirstKey("a/victim.pem");

        var error = Assert.ThrowsAny<SecretStoreException>(() => RsaKeyring.Load(_keyring));

        Assert.Equal(DiagnosticCodes.InvalidKeyring, error.Code);
        Assert.Contains("a/victim.pem", error.Message, StringComparison.Ordinal);
        Assert.Contains("symbolic link", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("outside")]
    [InlineData("/dev/zero")]
    public void Keyring_json_that_is_itself_a_link_out_of_the_folder_is_SSB3007(string target)
    {
        // Red team: a committed keyring.json link to a copy elsewhere was followed, and one to /dev/zero made the
        // tool run out of memory (exit 134, no code). The index is a keyring file like any other.
        var index = Path.Combine(_keyring, RsaKeyring.IndexFileName);
        var linkTarget = target;
        if (target == "outside")
        {
            linkTarget = Path.Combine(_outside, RsaKeyring.IndexFileName);
            File.Copy(index, linkTarget);
        }

        File.Delete(index);
        File.CreateSymbolicLink(index, linkTarget);

        var error = Assert.ThrowsAny<SecretStoreException>(() => RsaKeyring.Load(_keyring));

        Assert.Equal(DiagnosticCodes.InvalidKeyring, error.Code);
    }

    [Fact]
    public void Keyring_folder_reached_through_a_symbolic_link_still_loads_its_own_files()
    {
        // The root's own links are resolved too, so a keyring opened through a linked path is not refused.
        var linked = Path.Combine(_tree.Path, "linked-keyring");
        Directory.CreateSymbolicLink(linked, _keyring);

        using var keyring = RsaKeyring.Load(linked);

        Assert.Contains(KeyringFixture.KeyId, keyring.KeyIds);
    }

    [Fact]
    public void Symbolic_link_that_stays_inside_the_folder_is_accepted()
    {
        var first = Directory.GetFiles(Path.Combine(_keyring, "keys"), "*.public.pem")[0];
        File.CreateSymbolicLink(Path.Combine(_keyring, "keys", "alias.pem"), first);
        EditFirstKey("keys/alias.pem");

        using var keyring = RsaKeyring.Load(_keyring);

        Assert.Contains(KeyringFixture.KeyId, keyring.KeyIds);
    }

    private void EditFirstKey(string publicKeyPath)
    {
        var index = Path.Combine(_keyring, RsaKeyring.IndexFileName);
        var node = JsonNode.Parse(File.ReadAllText(index))!.AsObject();
        node["keys"]![KeyringFixture.KeyId]!["publicKey"] = publicKeyPath;
        File.WriteAllText(index, node.ToJsonString());
    }

    private static void CopyDirectory(string source, string target)
    {
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var destination = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination);
        }
    }
}
