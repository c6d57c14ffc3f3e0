using System.Text;
using CsCheck;
using SecretStore.Repositories;
using SecretStore.Testing.Repositories;
using SecretStore.Secrets;
using SecretStore.Stores;
using SecretStore.Tests.Support;

namespace SecretStore.Tests.Stores;

public sealed class RoundTripPropertyTests : IDisposable
{
    // Any Unicode scalar value (no surrogates): every string that has a UTF-8 form.
    private static readonly Gen<string> UnicodeText =
        Gen.Frequency(
            (6, Gen.Char.AlphaNumeric.Select(c => (int)c)),
            (2, Gen.Int[0x80, 0xD7FF]),
            (1, Gen.Int[0xE000, 0x10FFFF]),
            (1, Gen.Int[0, 0x1F]))
        .Array[0, 80]
        .Select(points => string.Concat(points.Select(p => new Rune(p).ToString())));

    private readonly StoreScope _scope = new();

    [Theory]
    [InlineData(ProtectedSecretFormat.V1)]
    [InlineData(ProtectedSecretFormat.V2)]
    public async Task Decrypt_of_encrypt_is_the_identity_for_any_unicode_value_and_name(ProtectedSecretFormat format)
    {
        var store = new EnvelopeSecretStore(new InMemorySecretRepository(), _scope.KeyManager, new EnvelopeSecretStoreOptions { DefaultKeyId = TestKeyrings.PrimaryKeyId, AllowV1 = format == ProtectedSecretFormat.V1 });
        await Gen.Select(UnicodeText, UnicodeText.Where(s => s.Length > 0)).SampleAsync(async (value, name) =>
        {
            var id = new SecretId("app", name);
            await store.SetAsync(id, value, new SetSecretOptions { Format = format, ExpectedRevision = (await store.Repository.GetAsync(id))?.Revision ?? 0, AllowEmpty = true });
            var secret = await store.GetAsync(id);
            Assert.Equal(value, secret.Value);
        }, iter: 150);
    }

    public void Dispose() => _scope.Dispose();
}
