namespace SecretStore.Testing.Canaries;

/// <summary>
/// One place where a canary was found. It names the source, the canary by index and the form it was
/// found in, never the value itself, so a failing test does not print the secret it guards.
/// </summary>
/// <param name="Source">The file path (with <c>!entry</c> for archive members) or the caller's label.</param>
/// <param name="Canary">The index of the canary in the scanner's list.</param>
/// <param name="Form">The form it was found in, for example <c>utf16le</c> or <c>line 2: base64(utf8)</c>.</param>
/// <param name="Offset">The byte offset of the first match in the (decompressed) source.</param>
public sealed record CanaryHit(string Source, int Canary, string Form, long Offset)
{
    /// <inheritdoc />
    public override string ToString() => $"{Source}: canary #{Canary} as {Form} at byte {Offset}";
}
