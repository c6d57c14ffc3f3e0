using SecretStore.Diagnostics;
using SecretStore.Repositories;
using SecretStore.Secrets;

namespace SecretStore.Tests.Repositories;

/// <summary>The revision arithmetic and the record's text (mutation testing found no engine test of either).</summary>
public sealed class RecordRevisionTests
{
    private static readonly SecretId Id = new("acme-web", "Db");

    [Theory]
    [InlineData(0L, 1L)]
    [InlineData(1L, 2L)]
    [InlineData(long.MaxValue - 1, long.MaxValue)]
    public void Next_is_one_more(long current, long next) => Assert.Equal(next, RecordRevision.Next(Id, current));

    [Theory]
    [InlineData(-1L)]
    [InlineData(long.MinValue)]
    [InlineData(long.MaxValue)]
    public void Next_of_a_revision_without_a_successor_is_SSB2014_naming_the_record_and_the_revision(long current)
    {
        var ex = Assert.Throws<SecretStoreException>(() => RecordRevision.Next(Id, current));

        Assert.Equal($"SSB2014: The record of 'acme-web/Db' is at revision {current}, which has no successor; nothing was written.", ex.Message);
    }

    [Fact]
    public void Record_text_shows_id_format_revision_and_key_but_no_protected_bytes()
    {
        var record = new ProtectedSecretRecord
        {
            Id = Id,
            Format = ProtectedSecretFormat.V2,
            Revision = 7,
            MasterKeyId = "alias/acme-alpha",
            Envelope = [0xCA, 0xFE],
        };

        Assert.Equal("acme-web/Db (V2, revision 7, key 'alias/acme-alpha')", record.ToString());
    }
}
