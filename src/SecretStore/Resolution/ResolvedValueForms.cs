using SecretStore.Secrets;

namespace SecretStore.Resolution;

/// <summary>
/// Every form of every value about to be written: the clear value, each escaped form actually written, the
/// Base64 form, and each line of a multi-line value. Given to <see cref="ResolveRequest.BeforeWrite"/> so a CI
/// host can register masks before any file exists. <see cref="ToString"/> never shows the forms.
/// </summary>
public sealed class ResolvedValueForms
{
    internal ResolvedValueForms(IReadOnlyList<string> forms, IReadOnlyDictionary<SecretId, IReadOnlyList<string>> formsBySecret)
    {
        Forms = forms;
        FormsBySecret = formsBySecret;
    }

    /// <summary>The distinct non-empty forms, longest first (masking the longest first avoids partial masks).</summary>
    public IReadOnlyList<string> Forms { get; }

    /// <summary>
    /// The same forms grouped by the secret they come from (each list longest first), so a host can name the
    /// secret when it cannot mask one of its forms (for example one shorter than the CI masker accepts).
    /// </summary>
    public IReadOnlyDictionary<SecretId, IReadOnlyList<string>> FormsBySecret { get; }

    /// <summary>
    /// The forms of one value a command prints as it is (the CLI's <c>get</c>): the value, each of its lines
    /// and its Base64 form, so a CI host masks it the same way as a resolved value.
    /// </summary>
    /// <param name="id">The secret the value belongs to (named when a form cannot be masked).</param>
    /// <param name="value">The clear value.</param>
    public static ResolvedValueForms OfPrintedValue(SecretId id, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var collector = new ValueFormCollector();
        collector.Add(id, value, value, Syntax.PlaceholderModifiers.None);
        return collector.Build();
    }

    /// <summary>
    /// The forms of values handed on as they are (environment variables of <c>run</c>, lines of <c>export</c>): each
    /// value, its lines and its Base64 form, grouped by secret.
    /// </summary>
    /// <param name="values">The secrets and their clear values.</param>
    public static ResolvedValueForms OfValues(IEnumerable<(SecretId Id, string Value)> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var collector = new ValueFormCollector();
        foreach (var (id, value) in values)
        {
            collector.Add(id, value, value, Syntax.PlaceholderModifiers.None);
        }

        return collector.Build();
    }

    /// <summary>Shows a count only.</summary>
    public override string ToString() => $"{Forms.Count} value forms of {FormsBySecret.Count} secrets (redacted)";
}
