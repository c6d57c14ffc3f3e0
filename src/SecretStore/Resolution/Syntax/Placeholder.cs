using SecretStore.Secrets;

namespace SecretStore.Resolution.Syntax;

/// <summary>One well-formed <c>#{secret:...}</c> found in a text, with its span in UTF-16 code units.</summary>
/// <param name="Start">Offset of the leading <c>#</c>.</param>
/// <param name="Length">Length up to and including the closing <c>}</c>.</param>
/// <param name="Text">The placeholder text as written (names only, never a value).</param>
/// <param name="Id">The secret, with the default application filled in.</param>
/// <param name="Modifiers">The modifiers given.</param>
/// <param name="Revision">The revision pinned with <c>@N</c>, or null for the current one.</param>
internal sealed record Placeholder(int Start, int Length, string Text, SecretId Id, PlaceholderModifiers Modifiers, long? Revision = null)
{
    /// <summary>What the store is asked for.</summary>
    public SecretReference Reference => new(Id, Revision);

    /// <summary>Offset just past the closing brace.</summary>
    public int End => Start + Length;
}
