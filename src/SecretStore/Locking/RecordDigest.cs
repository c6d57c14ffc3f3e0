using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using SecretStore.Repositories;

namespace SecretStore.Locking;

/// <summary>
/// The digest a lock file keeps of a <em>protected record</em> (never of its value): SHA-256 over the record's id,
/// format, revision, key id and protected bytes, each length-prefixed, so that the same record gives the same digest in
/// the store file and in DynamoDB, and any changed byte gives another. It tells nothing about the value: the protected
/// bytes are random to whoever lacks the key (docs/format.md, "Lock file").
/// </summary>
public static class RecordDigest
{
    /// <summary>The prefix of every digest (the algorithm, so that another one can follow).</summary>
    public const string Prefix = "sha256:";

    private static readonly byte[] Domain = "secretstore-record-digest-v1"u8.ToArray();

    /// <summary>The digest of <paramref name="record"/>: <c>sha256:</c> and 64 lower-case hex digits.</summary>
    public static string Of(ProtectedSecretRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Append(hash, Domain);
        Append(hash, Encoding.UTF8.GetBytes(record.Id.ApplicationName));
        Append(hash, Encoding.UTF8.GetBytes(record.Id.Name));
        Append(hash, Number((long)record.Format));
        Append(hash, Number(record.Revision));
        Append(hash, Encoding.UTF8.GetBytes(record.MasterKeyId ?? string.Empty));
        Append(hash, record.Envelope);
        Append(hash, record.ProtectedDocumentKey);
        Append(hash, record.InitialisationVector);
        Append(hash, record.ProtectedSecretValue);
        return Prefix + Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>True when <paramref name="text"/> has the shape of a digest.</summary>
    public static bool IsWellFormed(string? text) =>
        text is { Length: 71 } && text.StartsWith(Prefix, StringComparison.Ordinal) && text.AsSpan(Prefix.Length).IndexOfAnyExcept("0123456789abcdef") < 0;

    private static byte[] Number(long value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(bytes, value);
        return bytes;
    }

    /// <summary>A field as its length (-1 for an absent one) and bytes, so no two records share an encoding.</summary>
    private static void Append(IncrementalHash hash, byte[]? field)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, field?.Length ?? -1);
        hash.AppendData(length);
        if (field is not null)
        {
            hash.AppendData(field);
        }
    }
}
