using System.Text;
using SecretStore.Resolution.Syntax;
using SecretStore.Secrets;

namespace SecretStore.Resolution;

/// <summary>Gathers every form of every value written, for <see cref="ResolveRequest.BeforeWrite"/> (CI masking).</summary>
internal sealed class ValueFormCollector
{
    private static readonly string[] LineBreaks = ["\r\n", "\r", "\n"];
    private readonly Dictionary<SecretId, HashSet<string>> _forms = [];

    public void Add(SecretId id, string value, string written, PlaceholderModifiers modifiers)
    {
        if (!_forms.TryGetValue(id, out var forms))
        {
            forms = new HashSet<string>(StringComparer.Ordinal);
            _forms.Add(id, forms);
        }

        AddWithLines(forms, value);
        AddWithLines(forms, written);
        if ((modifiers & PlaceholderModifiers.Base64) == 0)
        {
            // A value that was not written as Base64 may still appear so in logs of the tools that read the file.
            forms.Add(Convert.ToBase64String(Encoding.UTF8.GetBytes(value)));
        }
    }

    public ResolvedValueForms Build()
    {
        var bySecret = _forms
            .OrderBy(p => p.Key.ApplicationName, StringComparer.Ordinal)
            .ThenBy(p => p.Key.Name, StringComparer.Ordinal)
            .ToDictionary(p => p.Key, p => (IReadOnlyList<string>)Sort(p.Value));
        return new(Sort(_forms.Values.SelectMany(f => f)), bySecret);
    }

    private static string[] Sort(IEnumerable<string> forms) =>
        forms.Where(f => f.Length > 0).Distinct(StringComparer.Ordinal).OrderByDescending(f => f.Length).ThenBy(f => f, StringComparer.Ordinal).ToArray();

    private static void AddWithLines(HashSet<string> forms, string form)
    {
        forms.Add(form);
        if (form.AsSpan().IndexOfAny('\r', '\n') >= 0)
        {
            foreach (var line in form.Split(LineBreaks, StringSplitOptions.RemoveEmptyEntries))
            {
                forms.Add(line);
            }
        }
    }
}
