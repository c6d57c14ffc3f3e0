using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace SecretStore.Build.Tests.Infrastructure;

/// <summary>
/// Looks for secret values in any form they could leak in: raw, JSON-escaped (strict and relaxed), XML-escaped,
/// base64, each as UTF-8 and as UTF-16LE bytes. Every test value carries a unique alphanumeric core, which
/// survives any escaping, so a partial or differently escaped copy is caught too.
/// </summary>
public sealed class SecretScanner
{
    private readonly List<(string Label, byte[] Bytes)> _needles = [];

    public SecretScanner(IEnumerable<TestSecret> secrets, IEnumerable<string>? keyMaterialPems = null)
    {
        // Key material: every full base64 line of a PEM body is a needle (a PEM escaped into JSON keeps its lines).
        foreach (var (pem, index) in (keyMaterialPems ?? []).Select((p, i) => (p, i)))
        {
            foreach (var line in pem.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith('-') && l.Length >= 40))
            {
                _needles.Add(($"key material {index} (PEM line, UTF-8)", Encoding.UTF8.GetBytes(line)));
                _needles.Add(($"key material {index} (PEM line, UTF-16)", Encoding.Unicode.GetBytes(line)));
            }
        }

        foreach (var secret in secrets)
        {
            foreach (var (form, text) in Forms(secret))
            {
                _needles.Add(($"{secret.Name} ({form}, UTF-8)", Encoding.UTF8.GetBytes(text)));
                _needles.Add(($"{secret.Name} ({form}, UTF-16)", Encoding.Unicode.GetBytes(text)));
            }
        }
    }

    /// <summary>Describes every needle found in <paramref name="bytes"/>; empty when clean.</summary>
    public IEnumerable<string> Find(ReadOnlySpan<byte> bytes, string where)
    {
        var found = new List<string>();
        foreach (var (label, needle) in _needles)
        {
            if (bytes.IndexOf(needle) >= 0)
            {
                found.Add($"{label} in {where}");
            }
        }

        return found;
    }

    public IEnumerable<string> FindInText(string text, string where) => Find(Encoding.UTF8.GetBytes(text), where);

    /// <summary>Scans every file under <paramref name="directory"/> (recursively), except those under <paramref name="skip"/>.</summary>
    public IEnumerable<string> FindInDirectory(string directory, params string[] skip)
    {
        var skipped = skip.Select(s => Path.GetFullPath(s).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar).ToArray();
        var found = new List<string>();
        foreach (var file in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories))
        {
            var full = Path.GetFullPath(file);
            if (skipped.Any(s => full.StartsWith(s, StringComparison.Ordinal)))
            {
                continue;
            }

            found.AddRange(Find(File.ReadAllBytes(full), full));
        }

        return found;
    }

    private static IEnumerable<(string Form, string Text)> Forms(TestSecret secret)
    {
        var value = secret.Value;
        yield return ("core", secret.Core);
        yield return ("raw", value);
        yield return ("json", JsonSerializer.Serialize(value)[1..^1]);
        yield return ("json-relaxed", JsonSerializer.Serialize(value, new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping })[1..^1]);
        yield return ("xml", System.Security.SecurityElement.Escape(value));
        var utf8 = Encoding.UTF8.GetBytes(value);
        yield return ("base64", Convert.ToBase64String(utf8));
        // The base64 of the core at each of the three byte alignments it can have inside longer data.
        var core = Encoding.UTF8.GetBytes(secret.Core);
        for (var shift = 0; shift < 3; shift++)
        {
            var padded = new byte[shift + core.Length];
            core.CopyTo(padded, shift);
            var encoded = Convert.ToBase64String(padded);
            // Drop the characters that depend on the unknown neighbouring bytes.
            var stable = encoded[(shift == 0 ? 0 : shift + 1)..^4];
            if (stable.Length >= 8)
            {
                yield return ($"base64-core-{shift}", stable);
            }
        }
    }
}

/// <summary>A secret used by the tests: its store coordinates, its value and the unique core inside the value.</summary>
public sealed record TestSecret(string Application, string Name, string Core, string Value)
{
    /// <summary>A value whose core is unique to this run, wrapped in characters that JSON and XML must escape.</summary>
    public static TestSecret Create(string application, string name, string prefix, string? suffix = null)
    {
        var core = prefix + Guid.NewGuid().ToString("N")[..16];
        return new TestSecret(application, name, core, suffix is null ? core : core + suffix);
    }

    public override string ToString() => $"{Application}/{Name} (value redacted)";
}
