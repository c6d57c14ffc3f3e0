using System.Globalization;
using Npgsql;
using NpgsqlTypes;
using SecretStore.Diagnostics;
using SecretStore.Repositories;
using SecretStore.Repositories.History;
using SecretStore.Secrets;

namespace SecretStore.PostgreSql;

/// <summary>
/// Rows to records and back, in the column order of <see cref="PostgreSqlSchema.RecordColumns"/>. A row is read as it
/// is: whoever can write the table can write any bytes, so a row that breaks the format's rules (v2 with v1 fields, a
/// missing field, an unknown format) is refused with <c>SSB3002</c> naming the record, never its bytes.
/// </summary>
internal static class RecordRows
{
    private const int Application = 0, Name = 1, Revision = 2, Format = 3, MasterKeyId = 4, Envelope = 5, DocumentKey = 6, Iv = 7, Value = 8;

    /// <summary>A record from the row under <paramref name="reader"/> (columns from 0).</summary>
    public static ProtectedSecretRecord Read(NpgsqlDataReader reader, string table)
    {
        var id = Id(reader, table);
        var revision = reader.GetInt64(Revision);
        var invalid = RecordRevision.IsValid(revision) ? null : revision.ToString(CultureInfo.InvariantCulture);
        if (reader.IsDBNull(Format) || reader.IsDBNull(MasterKeyId))
        {
            throw Corrupt(id, table, "it has no format or no master key id");
        }

        var format = reader.GetInt16(Format);
        var envelope = Bytes(reader, Envelope);
        var documentKey = Bytes(reader, DocumentKey);
        var iv = Bytes(reader, Iv);
        var value = Bytes(reader, Value);
        var record = format switch
        {
            (short)ProtectedSecretFormat.V2 when envelope is not null && documentKey is null && iv is null && value is null => new ProtectedSecretRecord
            {
                Id = id,
                Format = ProtectedSecretFormat.V2,
                MasterKeyId = reader.GetString(MasterKeyId),
                Envelope = envelope,
            },
            (short)ProtectedSecretFormat.V1 when envelope is null && documentKey is not null && iv is not null && value is not null => new ProtectedSecretRecord
            {
                Id = id,
                Format = ProtectedSecretFormat.V1,
                MasterKeyId = reader.GetString(MasterKeyId),
                ProtectedDocumentKey = documentKey,
                InitialisationVector = iv,
                ProtectedSecretValue = value,
            },
            (short)ProtectedSecretFormat.V1 or (short)ProtectedSecretFormat.V2 => throw Corrupt(id, table, "its fields do not match its format"),
            _ => throw Corrupt(id, table, $"its format {format.ToString(CultureInfo.InvariantCulture)} is unknown"),
        };
        return record with { Revision = invalid is null ? revision : 0, InvalidRevision = invalid };
    }

    /// <summary>A history entry from the row under <paramref name="reader"/>: the record columns, then written_at and writer; a deletion has no format.</summary>
    public static SecretHistoryEntry ReadHistory(NpgsqlDataReader reader, string table)
    {
        var id = Id(reader, table);
        var revision = reader.GetInt64(Revision);
        var writtenAt = WrittenAt(reader, id, table);
        var writer = reader.IsDBNull(10) ? null : reader.GetString(10);
        var deletion = reader.IsDBNull(Format);
        return new SecretHistoryEntry
        {
            Id = id,
            Revision = revision,
            WrittenAt = writtenAt,
            Writer = writer,
            Record = deletion ? null : Read(reader, table),
        };
    }

    /// <summary>Adds $1..$9: the key, <paramref name="revision"/>, and the record's fields (all null for a deletion).</summary>
    public static void AddRecordParameters(NpgsqlParameterCollection parameters, SecretId id, long revision, ProtectedSecretRecord? record)
    {
        parameters.Add(new NpgsqlParameter { Value = id.ApplicationName, NpgsqlDbType = NpgsqlDbType.Text });
        parameters.Add(new NpgsqlParameter { Value = id.Name, NpgsqlDbType = NpgsqlDbType.Text });
        parameters.Add(new NpgsqlParameter { Value = revision, NpgsqlDbType = NpgsqlDbType.Bigint });
        parameters.Add(new NpgsqlParameter { Value = record is null ? DBNull.Value : (short)record.Format, NpgsqlDbType = NpgsqlDbType.Smallint });
        parameters.Add(new NpgsqlParameter { Value = (object?)record?.MasterKeyId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        parameters.Add(Binary(record?.Envelope));
        parameters.Add(Binary(record?.ProtectedDocumentKey));
        parameters.Add(Binary(record?.InitialisationVector));
        parameters.Add(Binary(record?.ProtectedSecretValue));
    }

    /// <summary>Refuses a record that cannot be stored as a row of its format (before any round trip).</summary>
    public static void EnsureWritable(ProtectedSecretRecord record)
    {
        var fits = record.Format switch
        {
            ProtectedSecretFormat.V2 => record.Envelope is not null && record.ProtectedDocumentKey is null && record.InitialisationVector is null && record.ProtectedSecretValue is null,
            ProtectedSecretFormat.V1 => record.Envelope is null && record.ProtectedDocumentKey is not null && record.InitialisationVector is not null && record.ProtectedSecretValue is not null,
            _ => false,
        };
        if (!fits || record.MasterKeyId is null)
        {
            throw new InvalidProtectedDataException($"The record of '{record.Id}' does not have the fields of its format {record.Format}; nothing was written.");
        }

        if (System.Text.Encoding.UTF8.GetByteCount(record.MasterKeyId) > PostgreSqlSchema.MaxTextBytes)
        {
            throw new SecretStoreException(DiagnosticCodes.InvalidSecret, $"The master key id of '{record.Id}' is longer than the {PostgreSqlSchema.MaxTextBytes} bytes a PostgreSQL store row holds; nothing was written.");
        }

        var largest = new[] { record.Envelope, record.ProtectedDocumentKey, record.InitialisationVector, record.ProtectedSecretValue }.Sum(f => (long)(f?.Length ?? 0));
        if (largest > PostgreSqlSchema.MaxProtectedBytes)
        {
            throw new SecretStoreException(
                DiagnosticCodes.InvalidSecret,
                $"The record of '{record.Id}' is {largest.ToString(CultureInfo.InvariantCulture)} bytes protected, more than the {PostgreSqlSchema.MaxProtectedBytes / 1024} KiB a PostgreSQL store row holds (DynamoDB's item limit, so that every store takes it); nothing was written. Fix: keep large files out of the store (store a key to them instead).");
        }
    }

    /// <summary>Whether two records hold the same protected bytes, revision aside.</summary>
    public static bool SameBytes(ProtectedSecretRecord stored, ProtectedSecretRecord written) =>
        RecordHistory.SameRecord(stored, written with { Revision = stored.Revision });

    /// <summary>The row's id; a name no id can have (empty, say: a schema made by hand has no CHECK) is a corrupt row, not a crash.</summary>
    private static SecretId Id(NpgsqlDataReader reader, string table)
    {
        try
        {
            return new SecretId(reader.GetString(Application), reader.GetString(Name));
        }
        catch (ArgumentException)
        {
            throw new InvalidProtectedDataException($"A row in PostgreSQL table {table} has an application or secret name no secret id can have (empty, or not valid text); nothing of it was read. Fix: delete the row as the schema's owner.");
        }
    }

    /// <summary>
    /// When a revision was written. The schema's CHECK keeps it within the years 1 to 9999; a time outside them (a schema
    /// made by hand, infinity) would not convert, or convert to a wrong time: refused as corrupt, naming the record.
    /// </summary>
    private static DateTimeOffset? WrittenAt(NpgsqlDataReader reader, SecretId id, string table)
    {
        if (reader.IsDBNull(9))
        {
            return null;
        }

        try
        {
            var at = reader.GetFieldValue<DateTime>(9);
            if (at == DateTime.MaxValue || at == DateTime.MinValue)
            {
                throw new InvalidCastException();
            }

            return new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc));
        }
        catch (Exception e) when (e is InvalidCastException or ArgumentOutOfRangeException or OverflowException)
        {
            throw Corrupt(id, table, "its written_at is outside the years 1 to 9999");
        }
    }

    private static byte[]? Bytes(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetFieldValue<byte[]>(ordinal);

    private static NpgsqlParameter Binary(byte[]? value) => new() { Value = (object?)value ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bytea };

    private static InvalidProtectedDataException Corrupt(SecretId id, string table, string problem) =>
        new($"The row of '{id}' in PostgreSQL table {table} is corrupt: {problem}.");
}
