using SecretStore.Diagnostics;
using SecretStore.Keys.Rsa;
using SecretStore.Tests.Support;

namespace SecretStore.Tests.Keys;

public sealed class KeyringIndexTests
{
    private const string Signing = "\"signingKey\":{\"publicKey\":\"s.pem\",\"privateKey\":\"s.private.pem\"}";

    [Fact]
    public void Write_produces_indented_sorted_json_with_unescaped_ids_and_a_final_newline()
    {
        using var temp = new TempDirectory();
        var index = new KeyringIndex(
            "clé",
            new KeyringEntry("s.pem", "s.private.pem"),
            new Dictionary<string, KeyringEntry>
            {
                ["b"] = new("b.pem", null),
                ["a"] = new(null, "a.private.pem"),
            });

        index.Write(temp.Path);

        Assert.Equal(
            "{\n  \"version\": 1,\n  \"defaultKeyId\": \"clé\",\n  \"signingKey\": {\n    \"publicKey\": \"s.pem\",\n    \"privateKey\": \"s.private.pem\"\n  },\n"
            + "  \"keys\": {\n    \"a\": {\n      \"privateKey\": \"a.private.pem\"\n    },\n    \"b\": {\n      \"publicKey\": \"b.pem\"\n    }\n  }\n}\n",
            File.ReadAllText(temp.Combine(RsaKeyring.IndexFileName)));
    }

    [Fact]
    public void Write_omits_a_missing_default_and_read_gives_back_every_entry()
    {
        using var temp = new TempDirectory();
        new KeyringIndex(
            null,
            new KeyringEntry("s.pem", null),
            new Dictionary<string, KeyringEntry> { ["b"] = new("b.pem", null), ["a"] = new(null, "a.private.pem") }).Write(temp.Path);

        Assert.DoesNotContain("defaultKeyId", File.ReadAllText(temp.Combine(RsaKeyring.IndexFileName)), StringComparison.Ordinal);
        var read = KeyringIndex.Read(temp.Path);
        Assert.Null(read.DefaultKeyId);
        Assert.Equal(new KeyringEntry("s.pem", null), read.SigningKey);
        Assert.Equal(new KeyringEntry("b.pem", null), read.Keys["b"]);
        Assert.Equal(new KeyringEntry(null, "a.private.pem"), read.Keys["a"]);
        Assert.Equal(2, read.Keys.Count);
    }

    [Fact]
    public void Read_accepts_explicit_nulls_and_a_default_while_no_key_is_listed()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.Combine(RsaKeyring.IndexFileName), "{\"version\":1,\"defaultKeyId\":\"x\",\"signingKey\":{\"publicKey\":\"s.pem\",\"privateKey\":null},\"keys\":{}}");

        var read = KeyringIndex.Read(temp.Path);

        Assert.Equal("x", read.DefaultKeyId);
        Assert.Equal(new KeyringEntry("s.pem", null), read.SigningKey);
        Assert.Empty(read.Keys);
    }

    [Fact]
    public void Read_of_a_folder_without_index_says_to_create_one()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine(RsaKeyring.IndexFileName);
        var ex = Assert.Throws<SecretStoreException>(() => KeyringIndex.Read(temp.Path));
        Assert.Equal("SSB3007", ex.Code.Id);
        Assert.Equal($"SSB3007: '{path}' does not exist; create a keyring first.", ex.Message);
    }

    [Theory]
    [InlineData("{" + Signing + "}", "has no supported \"version\" (1)")]
    [InlineData("{\"version\":1,\"defaultKeyId\":5," + Signing + "}", "has a non-string \"defaultKeyId\"")]
    [InlineData("{\"version\":1}", "has no \"signingKey\"")]
    [InlineData("{\"version\":1,\"signingKey\":[]}", "has an entry for 'signingKey' that is not an object")]
    [InlineData("{\"version\":1,\"signingKey\":{}}", "has an entry for 'signingKey' with neither \"publicKey\" nor \"privateKey\"")]
    [InlineData("{\"version\":1,\"signingKey\":{\"publicKey\":5}}", "has a \"publicKey\" for 'signingKey' that is not a file name")]
    [InlineData("{\"version\":1,\"signingKey\":{\"privateKey\":\"\"}}", "has a \"privateKey\" for 'signingKey' that is not a file name")]
    [InlineData("{\"version\":1," + Signing + ",\"keys\":[]}", "has a \"keys\" that is not an object")]
    [InlineData("{\"version\":1," + Signing + ",\"keys\":{\"\":{\"publicKey\":\"a.pem\"}}}", "has an empty key id")]
    [InlineData("{\"version\":1," + Signing + ",\"keys\":{\"a\":5}}", "has an entry for 'a' that is not an object")]
    [InlineData("{\"version\":1,\"defaultKeyId\":\"x\"," + Signing + ",\"keys\":{\"a\":{\"publicKey\":\"a.pem\"}}}", "names default key 'x', which it does not list")]
    public void Read_refuses_a_malformed_index_with_a_message_naming_the_fault(string json, string fault)
    {
        using var temp = new TempDirectory();
        var path = temp.Combine(RsaKeyring.IndexFileName);
        File.WriteAllText(path, json);

        var ex = Assert.Throws<SecretStoreException>(() => KeyringIndex.Read(temp.Path));
        Assert.Equal("SSB3007", ex.Code.Id);
        Assert.Equal($"SSB3007: '{path}' {fault}.", ex.Message);
    }

    [Fact]
    public void Read_refuses_a_key_file_outside_the_folder()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.Combine(RsaKeyring.IndexFileName), "{\"version\":1,\"signingKey\":{\"publicKey\":\"../s.pem\"}}");

        var ex = Assert.Throws<SecretStoreException>(() => KeyringIndex.Read(temp.Path));
        Assert.Equal($"SSB3007: Keyring path '../s.pem' leaves the keyring folder '{temp.Path}'.", ex.Message);
    }

    [Theory]
    [InlineData("{\"version\":1,")]
    [InlineData("{\"version\":1,\"version\":1," + Signing + "}")]
    public void Read_refuses_text_that_is_not_json_or_repeats_a_property(string json)
    {
        using var temp = new TempDirectory();
        var path = temp.Combine(RsaKeyring.IndexFileName);
        File.WriteAllText(path, json);

        var ex = Assert.Throws<SecretStoreException>(() => KeyringIndex.Read(temp.Path));
        Assert.Equal("SSB3007", ex.Code.Id);
        Assert.IsAssignableFrom<System.Text.Json.JsonException>(ex.InnerException);
        Assert.Equal($"SSB3007: '{path}' is not a valid keyring index: {ex.InnerException!.GetType().Name}.", ex.Message);
    }

    [Fact]
    public void Read_names_the_index_when_it_is_too_large()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine(RsaKeyring.IndexFileName);
        File.WriteAllText(path, new string(' ', KeyFiles.MaxFileBytes + 1));

        var ex = Assert.Throws<SecretStoreException>(() => KeyringIndex.Read(temp.Path));
        Assert.Equal($"SSB3007: The file of the keyring index ('{path}') is larger than 1048576 bytes.", ex.Message);
    }
}
