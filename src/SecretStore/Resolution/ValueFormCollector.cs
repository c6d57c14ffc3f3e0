using System.Text;
using SecretStore.Resolution.Syntax;

namespace SecretStore.Resolution;

/// <summary>Gathers every form of every value written, for <see cref="ResolveRequest.BeforeWrite"/> (CI masking).</summary>
internal sealed class ValueFormCollector
{
    private static readonly string[] LineBreaks = ["\r\n", "\r", "\n"];
    private readonly HashSet<string> _forms = new(StringComparer.Ordinal);

    public void Add(string value, string written, PlaceholderModifiers modifiers)
    {
        AddWithLines(value);
        AddWithLines(written);
        if ((modifiers & PlaceholderModifiers.Base64) == 0)
        {
            // A value that was not written as Base64 may still appear so in logs of the tools that read the file.
            _forms.Add(Convert.ToBase64String(Encoding.UTF8.GetBytes(value)));
        }
    }

    public ResolvedValueForms Build() =>
        new(_forms.Where(f => f.Length > 0).OrderByDescending(f => f.Length).ThenBy(f => f, StringComparer.Ordinal).ToArray());

    private void AddWithLines(string form)
    {
        _forms.Add(form);
        if (form.AsSpan().IndexOfAny('\r', '\n') >= 0)
        {
            foreach (var line in form.Split(LineBreaks, StringSplitOptions.RemoveEmptyEntries))
            {
                _forms.Add(line);
            }
        }
    }
}
