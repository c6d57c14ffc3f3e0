using System.Text;
using SecretStore.Diagnostics;

namespace SecretStore.Resolution.Values;

/// <summary>
/// What <see cref="ValuePlaceholders.Scan"/> found in one value: its placeholders, its <c>##{</c> escapes and its
/// syntax errors, with the same grammar as the file resolver. <see cref="Render"/> puts values in.
/// </summary>
public sealed class ValueScan
{
    private readonly IReadOnlyList<int> _escapes;

    internal ValueScan(string value, IReadOnlyList<ValuePlaceholder> placeholders, IReadOnlyList<int> escapes, IReadOnlyList<Diagnostic> errors)
    {
        Value = value;
        Placeholders = placeholders;
        _escapes = escapes;
        Errors = errors;
    }

    /// <summary>The value scanned.</summary>
    public string Value { get; }

    /// <summary>The well-formed placeholders, in offset order.</summary>
    public IReadOnlyList<ValuePlaceholder> Placeholders { get; }

    /// <summary>Syntax errors (SSB1001–SSB1004); messages quote the placeholder text, never a value.</summary>
    public IReadOnlyList<Diagnostic> Errors { get; }

    /// <summary>True when rendering changes the value: it has a placeholder or a <c>##{</c> escape.</summary>
    public bool ChangesValue => Placeholders.Count > 0 || _escapes.Count > 0;

    /// <summary>
    /// The value with each placeholder replaced by <paramref name="valueOf"/>'s text and each <c>##{</c> escape by a
    /// literal <c>#{</c>. Throws when the scan has errors.
    /// </summary>
    public string Render(Func<ValuePlaceholder, string> valueOf)
    {
        ArgumentNullException.ThrowIfNull(valueOf);
        if (Errors.Count > 0)
        {
            throw new SecretStoreException(Errors);
        }

        var builder = new StringBuilder(Value.Length);
        var at = 0;
        var p = 0;
        var e = 0;
        while (p < Placeholders.Count || e < _escapes.Count)
        {
            if (e < _escapes.Count && (p >= Placeholders.Count || _escapes[e] < Placeholders[p].Start))
            {
                // '##{secret:' keeps everything but its first '#'.
                builder.Append(Value, at, _escapes[e] - at);
                at = _escapes[e] + 1;
                e++;
                continue;
            }

            var placeholder = Placeholders[p++];
            builder.Append(Value, at, placeholder.Start - at).Append(valueOf(placeholder));
            at = placeholder.Start + placeholder.Length;
        }

        return builder.Append(Value, at, Value.Length - at).ToString();
    }
}
