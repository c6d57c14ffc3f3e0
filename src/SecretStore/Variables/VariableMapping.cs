using SecretStore.Diagnostics;

namespace SecretStore.Variables;

/// <summary>
/// One environment variable and the secret it gets: <c>--map NAME=App/Secret</c>, an entry of the settings file's
/// <c>variables</c>, a Cake <c>Variables</c> entry. The secret is spelt as in placeholders (<c>App/Name</c>, or
/// <c>Name</c> of the default application).
/// </summary>
/// <param name="Variable">The variable name (checked by <see cref="VariableNames.IsValid"/> when the mapping is used).</param>
/// <param name="Secret">The secret reference.</param>
/// <param name="Origin">Where the mapping was given, for messages: <c>--map</c>, <c>secretstore.json</c>.</param>
public sealed record VariableMapping(string Variable, string Secret, string Origin)
{
    /// <summary>
    /// Parses <c>NAME=App/Secret</c> (the name ends at the first <c>=</c>). Throws <c>SSB0001</c> for a text without
    /// both parts; the message does not repeat the text (it may be a value typed in the wrong place).
    /// </summary>
    public static VariableMapping Parse(string text, string origin)
    {
        ArgumentNullException.ThrowIfNull(text);
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        return equals <= 0 || equals == text.Length - 1
            ? throw new SecretStoreException(DiagnosticCodes.InvalidArgument, $"A mapping given with {origin} is not NAME=App/Secret (the text is not repeated here). Fix: write it as NAME=App/Secret, for example ConnectionStrings__Default=shop/Db.")
            : new VariableMapping(text[..equals], text[(equals + 1)..], origin);
    }

    /// <inheritdoc />
    public override string ToString() => $"{Variable}={Secret} ({Origin})";
}
