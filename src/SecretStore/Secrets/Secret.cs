namespace SecretStore.Secrets;

/// <summary>
/// A clear secret with the metadata of the record it came from. <see cref="ToString"/> never shows the value.
/// </summary>
public sealed class Secret
{
    /// <summary>Creates a clear secret.</summary>
    public Secret(SecretId id, string value, SecretMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(metadata);
        Id = id;
        Value = value;
        Metadata = metadata;
    }

    /// <summary>Application and name.</summary>
    public SecretId Id { get; }

    /// <summary>The application name.</summary>
    public string ApplicationName => Id.ApplicationName;

    /// <summary>The secret name.</summary>
    public string Name => Id.Name;

    /// <summary>The clear value. An empty string is a value, not "missing".</summary>
    public string Value { get; }

    /// <summary>Revision, key id and format of the stored record.</summary>
    public SecretMetadata Metadata { get; }

    /// <summary>Shows the id only; the value is redacted.</summary>
    public override string ToString() => $"{Id} (value redacted)";
}
