namespace SecretStore.Resolution.Reporting;

/// <summary>Where a substitution came from.</summary>
public enum PlaceholderSource
{
    /// <summary>A <c>#{secret:...}</c> placeholder in the file.</summary>
    Placeholder,

    /// <summary>A structured mapping (<see cref="SecretMapping"/>).</summary>
    Mapping,
}
