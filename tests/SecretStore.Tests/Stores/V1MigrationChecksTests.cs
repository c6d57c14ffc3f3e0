using SecretStore.Diagnostics;
using SecretStore.Repositories;
using SecretStore.Secrets;
using SecretStore.Stores;

namespace SecretStore.Tests.Stores;

public sealed class V1MigrationChecksTests
{
    private const string TrustedPath = "/repo/secrets.trusted.json";

    private static readonly SecretId A = new("app", "a");
    private static readonly SecretId B = new("app", "b");
    private static readonly SecretId C = new("app", "c");

    [Fact]
    public void Shared_material_needs_rows()
    {
        Assert.Equal("rows", Assert.Throws<ArgumentNullException>(() => V1MigrationChecks.SharedMaterial(null!)).ParamName);
    }

    [Fact]
    public void Rows_sharing_a_wrapped_key_are_one_SSB2012_naming_every_row_in_ordinal_order()
    {
        var rows = new[] { V1(C, key: 1, value: 3), V1(B, key: 9, value: 4), V1(A, key: 1, value: 5), V1(new SecretId("app", "B"), key: 1, value: 6) };

        var diagnostic = Assert.Single(V1MigrationChecks.SharedMaterial(rows, source: "import.json"));

        Assert.Equal(DiagnosticCodes.SharedV1Material, diagnostic.Code);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal("import.json", diagnostic.FilePath);
        Assert.Equal("The v1 rows 'app/B', 'app/a', 'app/c' share one wrapped document key: one was copied from another, and a migration would sign the copy as genuine. Nothing was written.", diagnostic.Message);
    }

    [Fact]
    public void Rows_sharing_a_ciphertext_are_one_SSB2012_saying_so()
    {
        var diagnostic = Assert.Single(V1MigrationChecks.SharedMaterial([V1(B, key: 1, value: 7), V1(A, key: 2, value: 7)]));

        Assert.Null(diagnostic.FilePath);
        Assert.Equal("The v1 rows 'app/a', 'app/b' share one ciphertext: one was copied from another, and a migration would sign the copy as genuine. Nothing was written.", diagnostic.Message);
    }

    [Fact]
    public void Rows_sharing_both_are_one_SSB2012_naming_both_fields_and_other_groups_get_their_own()
    {
        var diagnostics = V1MigrationChecks.SharedMaterial([V1(A, key: 1, value: 7), V1(B, key: 1, value: 7), V1(C, key: 3, value: 8), V1(new SecretId("app", "d"), key: 4, value: 8)]);

        Assert.Equal(
            [
                "The v1 rows 'app/a', 'app/b' share one wrapped document key and one ciphertext: one was copied from another, and a migration would sign the copy as genuine. Nothing was written.",
                "The v1 rows 'app/c', 'app/d' share one ciphertext: one was copied from another, and a migration would sign the copy as genuine. Nothing was written.",
            ],
            diagnostics.Select(d => d.Message));
    }

    [Fact]
    public void Distinct_rows_empty_fields_and_rows_of_other_formats_are_not_reported()
    {
        ProtectedSecretRecord[] rows =
        [
            V1(A, key: 1, value: 2),
            V1(B, key: 3, value: 4) with { ProtectedSecretValue = [] },
            V1(C, key: 5, value: 6) with { ProtectedSecretValue = [] },
            V1(new SecretId("app", "d"), key: 7, value: 8) with { ProtectedDocumentKey = null },
            V1(new SecretId("app", "e"), key: 9, value: 10) with { ProtectedDocumentKey = null },

            // Not v1: never converted, so never reported, whatever its fields hold.
            V1(new SecretId("app", "f"), key: 1, value: 2) with { Format = ProtectedSecretFormat.V2 },
        ];

        Assert.Empty(V1MigrationChecks.SharedMaterial(rows));
    }

    [Fact]
    public void With_a_conversion_set_only_groups_holding_a_row_being_converted_are_reported()
    {
        ProtectedSecretRecord[] rows = [V1(A, key: 1, value: 2), V1(B, key: 1, value: 3), V1(C, key: 4, value: 5), V1(new SecretId("app", "d"), key: 4, value: 6)];

        var converting = V1MigrationChecks.SharedMaterial(rows, converting: new HashSet<SecretId> { B });
        var elsewhere = V1MigrationChecks.SharedMaterial(rows, converting: new HashSet<SecretId> { new("app", "z") });

        Assert.Equal("The v1 rows 'app/a', 'app/b' share one wrapped document key: one was copied from another, and a migration would sign the copy as genuine. Nothing was written.", Assert.Single(converting).Message);
        Assert.Empty(elsewhere);
        Assert.Equal(2, V1MigrationChecks.SharedMaterial(rows).Count);
    }

    [Fact]
    public void Trusted_copy_check_needs_rows_and_the_trusted_rows()
    {
        Assert.Equal("rows", Assert.Throws<ArgumentNullException>(() => V1MigrationChecks.AgainstTrustedCopy(null!, [], TrustedPath)).ParamName);
        Assert.Equal("trusted", Assert.Throws<ArgumentNullException>(() => V1MigrationChecks.AgainstTrustedCopy([], null!, TrustedPath)).ParamName);
    }

    [Fact]
    public void Rows_equal_to_the_trusted_copy_pass_and_rows_of_other_formats_are_not_compared()
    {
        ProtectedSecretRecord[] rows =
        [
            V1(A, key: 1, value: 2),
            V1(B, key: 3, value: 4) with { InitialisationVector = null, ProtectedSecretValue = null },
            V1(C, key: 5, value: 6) with { Format = ProtectedSecretFormat.V2 },
        ];
        ProtectedSecretRecord[] trusted = [V1(A, key: 1, value: 2), V1(B, key: 3, value: 4) with { InitialisationVector = null, ProtectedSecretValue = null }];

        Assert.Empty(V1MigrationChecks.AgainstTrustedCopy(rows, trusted, TrustedPath));
    }

    [Fact]
    public void Each_v1_row_absent_from_or_not_v1_in_the_trusted_copy_is_SSB2013_naming_the_row_and_the_copy()
    {
        var diagnostics = V1MigrationChecks.AgainstTrustedCopy([V1(A, key: 1, value: 2), V1(B, key: 3, value: 4)], [V1(B, key: 3, value: 4) with { Format = ProtectedSecretFormat.V2 }], TrustedPath);

        Assert.All(diagnostics, d => Assert.Equal((DiagnosticCodes.DiffersFromTrustedCopy, DiagnosticSeverity.Error, TrustedPath), (d.Code, d.Severity, d.FilePath)));
        Assert.Equal(
            [
                "The v1 row 'app/a' is absent from the trusted copy; it is not converted, and nothing was written.",
                "The v1 row 'app/b' is not a v1 row in the trusted copy; it is not converted, and nothing was written.",
            ],
            diagnostics.Select(d => d.Message));
    }

    [Fact]
    public void A_row_differing_from_the_trusted_copy_names_every_differing_field_in_order()
    {
        var row = V1(A, key: 1, value: 2);
        var trusted = row with { MasterKeyId = "alias/other", ProtectedDocumentKey = Bytes(9), InitialisationVector = Bytes(9), ProtectedSecretValue = Bytes(9) };

        var diagnostic = Assert.Single(V1MigrationChecks.AgainstTrustedCopy([row], [trusted], TrustedPath));

        Assert.Equal("The v1 row 'app/a' differs from the trusted copy in MasterKeyId, ProtectedDocumentKey, InitialisationVector, ProtectedSecretValue; it is not converted, and nothing was written.", diagnostic.Message);
    }

    public static TheoryData<string, string> OneField => new()
    {
        { "MasterKeyId", "MasterKeyId" },
        { "ProtectedDocumentKey", "ProtectedDocumentKey" },
        { "InitialisationVector", "InitialisationVector" },
        { "ProtectedSecretValue", "ProtectedSecretValue" },
        { "InitialisationVector=null", "InitialisationVector" },
        { "ProtectedSecretValue=null-in-copy", "ProtectedSecretValue" },
    };

    [Theory]
    [MemberData(nameof(OneField))]
    public void A_row_differing_in_one_field_names_that_field_only(string change, string field)
    {
        var trusted = V1(A, key: 1, value: 2);
        var row = change switch
        {
            "MasterKeyId" => trusted with { MasterKeyId = "alias/other" },
            "ProtectedDocumentKey" => trusted with { ProtectedDocumentKey = Bytes(7) },
            "InitialisationVector" => trusted with { InitialisationVector = Bytes(7) },
            "ProtectedSecretValue" => trusted with { ProtectedSecretValue = Bytes(7) },
            "InitialisationVector=null" => trusted with { InitialisationVector = null },
            _ => trusted,
        };
        if (change == "ProtectedSecretValue=null-in-copy")
        {
            trusted = trusted with { ProtectedSecretValue = null };
        }

        var diagnostic = Assert.Single(V1MigrationChecks.AgainstTrustedCopy([row], [trusted], TrustedPath));

        Assert.Equal($"The v1 row 'app/a' differs from the trusted copy in {field}; it is not converted, and nothing was written.", diagnostic.Message);
    }

    private static ProtectedSecretRecord V1(SecretId id, byte key, byte value) => new()
    {
        Id = id,
        Format = ProtectedSecretFormat.V1,
        Revision = 1,
        MasterKeyId = "alias/acme-alpha",
        ProtectedDocumentKey = Bytes(key),
        InitialisationVector = Bytes((byte)(value + 100)),
        ProtectedSecretValue = Bytes(value),
    };

    private static byte[] Bytes(byte fill) => Enumerable.Repeat(fill, 16).ToArray();
}
