using System.Security.Cryptography;
using SecretStore.Diagnostics;
using SecretStore.Keys.Rsa;
using SecretStore.Repositories.File;
using SecretStore.Secrets;
using SecretStore.Stores;
using SecretStore.Tests.Support;

namespace SecretStore.Tests.Keys;

public sealed class RsaKeyringImportTests
{
    [Fact]
    public void CreateEmpty_makes_a_keyring_with_a_signing_key_and_no_encryption_key()
    {
        using var temp = new TempDirectory();
        using var keyring = RsaKeyring.CreateEmpty(temp.Combine("k"), 2048);

        Assert.Empty(keyring.KeyIds);
        Assert.Null(keyring.DefaultKeyId);
        Assert.True(keyring.CanSign);
        Assert.Equal(2048, keyring.SigningKeySize);
        var again = Assert.Throws<SecretStoreException>(() => RsaKeyring.CreateEmpty(temp.Combine("k"), 2048));
        Assert.Equal(DiagnosticCodes.InvalidKeyring, again.Code);
    }

    [Fact]
    public async Task An_imported_signing_key_signs_new_records_and_survives_a_reload()
    {
        using var temp = new TempDirectory();
        using var signing = RSA.Create(2048);
        using (var keyring = RsaKeyring.CreateEmpty(temp.Combine("k"), 2048))
        {
            keyring.ImportSigningKey(signing.ExportRSAPrivateKeyPem());
            keyring.ImportKey("imported", RSA.Create(2048).ToXmlString(includePrivateParameters: true));
            Assert.Equal("imported", keyring.DefaultKeyId);
        }

        using var reloaded = RsaKeyring.Load(temp.Combine("k"));
        Assert.Equal(signing.ExportSubjectPublicKeyInfoPem(), reloaded.ExportSigningPublicKeyPem());
        using var store = new EnvelopeSecretStore(new FileSecretRepository(temp.Combine("s.json")), new RsaKeyManager(reloaded), new EnvelopeSecretStoreOptions { DefaultKeyId = "imported" });
        await store.SetAsync(new SecretId("a", "b"), "signed-value");
        Assert.Equal("signed-value", (await store.GetAsync(new SecretId("a", "b"))).Value);
    }

    [Fact]
    public void A_small_or_malformed_signing_key_is_refused_and_the_old_one_kept()
    {
        using var temp = new TempDirectory();
        using var keyring = RsaKeyring.CreateEmpty(temp.Combine("k"), 2048);
        var before = keyring.ExportSigningPublicKeyPem();
        using var small = RSA.Create(1024);

        Assert.Equal(DiagnosticCodes.KeyTooSmall, Assert.Throws<SecretStoreException>(() => keyring.ImportSigningKey(small.ExportPkcs8PrivateKeyPem())).Code);
        Assert.Equal(DiagnosticCodes.InvalidKeyring, Assert.Throws<SecretStoreException>(() => keyring.ImportSigningKey("<RSAKeyValue><Modulus>AQAB")).Code);
        Assert.Equal(before, keyring.ExportSigningPublicKeyPem());
    }

    public static TheoryData<string> XmlWithDeclarations => new()
    {
        // The external entity of issue 12 item 11: it used to end in IndexOutOfRangeException (SSB0099).
        "<?xml version=\"1.0\"?><!DOCTYPE RSAKeyValue [<!ENTITY xxe SYSTEM \"file:///etc/hostname\">]><RSAKeyValue><Modulus>&xxe;</Modulus><Exponent>AQAB</Exponent></RSAKeyValue>",
        "<!DOCTYPE a [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]><RSAKeyValue><Modulus>&b;</Modulus><Exponent>AQAB</Exponent></RSAKeyValue>",
        "<RSAKeyValue><!-- a comment --><Modulus>AQAB</Modulus><Exponent>AQAB</Exponent></RSAKeyValue>",
        "<RSAKeyValue><Modulus><![CDATA[AQAB]]></Modulus><Exponent>AQAB</Exponent></RSAKeyValue>",
    };

    [Theory]
    [MemberData(nameof(XmlWithDeclarations))]
    public void Xml_key_with_a_DTD_or_any_declaration_is_refused_unparsed_with_SSB3007(string xml)
    {
        using var temp = new TempDirectory();
        using var keyring = RsaKeyring.CreateEmpty(temp.Combine("k"), 2048);

        var imported = Assert.Throws<SecretStoreException>(() => keyring.ImportKey("xxe", xml));
        var signing = Assert.Throws<SecretStoreException>(() => keyring.ImportSigningKey(xml));

        Assert.Equal(DiagnosticCodes.InvalidKeyring, imported.Code);
        Assert.Equal(DiagnosticCodes.InvalidKeyring, signing.Code);
        Assert.Contains("'<!'", imported.Message, StringComparison.Ordinal);
        Assert.False(keyring.ContainsKey("xxe"));
    }

    [Theory]
    [InlineData("<RSAKeyValue><Modulus>AQAB")]
    [InlineData("<RSAKeyValue><Modulus>not base64</Modulus><Exponent>AQAB</Exponent></RSAKeyValue>")]
    [InlineData("<RSAKeyValue><Modulus></Modulus><Exponent></Exponent><D>AQ==</D></RSAKeyValue>")]
    [InlineData("<RSAKeyValue><Modulus>AQAB</Modulus><Exponent>AQAB</Exponent><P>AQ==</P><Q>AQ==</Q><DP>AQ==</DP><DQ>AQ==</DQ><InverseQ>AQ==</InverseQ><D>AQ==</D></RSAKeyValue>")]
    [InlineData("-----BEGIN RSA PRIVATE KEY-----\nMAA=\n-----END RSA PRIVATE KEY-----\n")]
    [InlineData("-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n")]
    public void Every_failure_of_key_import_is_SSB3007_never_an_uncoded_exception(string text)
    {
        using var temp = new TempDirectory();
        using var keyring = RsaKeyring.CreateEmpty(temp.Combine("k"), 2048);

        var ex = Assert.Throws<SecretStoreException>(() => keyring.ImportKey("broken", text));

        Assert.Equal(DiagnosticCodes.InvalidKeyring, ex.Code);
    }
}
