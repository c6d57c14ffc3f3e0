using SecretStore.Testing.Canaries;

namespace SecretStore.Build.Tests.Infrastructure;

/// <summary>
/// The MSBuild tests' face of the shared <see cref="CanaryScanner"/> (every form a value can leak in, binary logs and
/// packages decompressed): each test secret's value and its unique core, and each full line of the key material's
/// PEM bodies, are the canaries. Hits name the source and the form, never the value.
/// </summary>
public sealed class SecretScanner
{
    private readonly CanaryScanner _scanner;
    private readonly List<string> _labels = [];

    public SecretScanner(IEnumerable<TestSecret> secrets, IEnumerable<string>? keyMaterialPems = null)
    {
        var canaries = new List<string>();
        foreach (var secret in secrets)
        {
            canaries.Add(secret.Value);
            _labels.Add($"{secret.Name} (value)");
            canaries.Add(secret.Core);
            _labels.Add($"{secret.Name} (core)");
        }

        // Key material: every full base64 line of a PEM body is a canary (a PEM escaped into JSON keeps its lines).
        foreach (var (pem, index) in (keyMaterialPems ?? []).Select((p, i) => (p, i)))
        {
            foreach (var line in pem.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith('-') && l.Length >= 40))
            {
                canaries.Add(line);
                _labels.Add($"key material {index} (PEM line)");
            }
        }

        _scanner = new CanaryScanner(canaries);
    }

    /// <summary>Describes every canary found in <paramref name="bytes"/>; empty when clean.</summary>
    public IEnumerable<string> Find(ReadOnlySpan<byte> bytes, string where) => Describe(_scanner.Scan(bytes, where));

    public IEnumerable<string> FindInText(string text, string where) => Describe(_scanner.Scan(text, where));

    /// <summary>Scans every file under <paramref name="directory"/> (recursively, archives and gzip too), except those under <paramref name="skip"/>.</summary>
    public IEnumerable<string> FindInDirectory(string directory, params string[] skip)
    {
        var skipped = skip.Select(s => Path.GetFullPath(s).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar).ToArray();
        var files = Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .Select(Path.GetFullPath)
            .Where(full => !skipped.Any(s => full.StartsWith(s, StringComparison.Ordinal)))
            .ToList();
        var hits = new List<CanaryHit>();
        foreach (var file in files)
        {
            hits.AddRange(_scanner.ScanFileAsync(file).GetAwaiter().GetResult());
        }

        return Describe(hits);
    }

    private List<string> Describe(IEnumerable<CanaryHit> hits) =>
        [.. hits.Select(h => $"{_labels[h.Canary]} as {h.Form} in {h.Source}")];
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
