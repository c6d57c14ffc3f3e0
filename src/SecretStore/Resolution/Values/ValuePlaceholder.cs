using SecretStore.Resolution.Syntax;
using SecretStore.Secrets;

namespace SecretStore.Resolution.Values;

/// <summary>One well-formed <c>#{secret:...}</c> found in a single value (a configuration value, an argument).</summary>
/// <param name="Start">Offset of the leading <c>#</c> in the value.</param>
/// <param name="Length">Length up to and including the closing <c>}</c>.</param>
/// <param name="Text">The placeholder as written (names and modifiers only, never a value).</param>
/// <param name="Id">The secret, with the default application filled in.</param>
/// <param name="Modifiers">The modifiers given.</param>
/// <param name="Revision">The revision pinned with <c>@N</c>, or null for the current one.</param>
public sealed record ValuePlaceholder(int Start, int Length, string Text, SecretId Id, PlaceholderModifiers Modifiers, long? Revision = null)
{
    /// <summary>What the store is asked for: the secret, pinned or not.</summary>
    public SecretReference Reference => new(Id, Revision);

    /// <summary>True when the placeholder carries <paramref name="modifier"/>.</summary>
    public bool Has(PlaceholderModifiers modifier) => (Modifiers & modifier) == modifier;
}
