using System.IO.Compression;
using SecretStore.Diagnostics;

namespace SecretStore.Testing.Canaries;

/// <summary>
/// Searches bytes, strings, streams, files and folders for canary secret values in every form they can leak in:
/// raw UTF-8 and UTF-16 LE, JSON-escaped (default and relaxed encoders), XML-escaped (text and attribute),
/// URL-encoded, base64 (of UTF-8 and UTF-16, every alignment, also base64url) and hex (lower and upper case),
/// and the same for each line of at least <see cref="MinimumLineLength"/> characters of a multi-line value.
/// gzip files (binary logs) and zip archives (packages) are searched decompressed as well.
/// Hits name the source, canary index and form, never the value.
/// </summary>
public sealed class CanaryScanner
{
    /// <summary>Lines of a multi-line value shorter than this are not searched on their own (too many false hits).</summary>
    public const int MinimumLineLength = 4;

    private const int ChunkSize = 1 << 20;
    private readonly List<CanaryPattern> _patterns = [];
    private readonly int _longest;

    /// <summary>Creates a scanner for the given canary values (each at least <see cref="MinimumLineLength"/> characters).</summary>
    public CanaryScanner(IEnumerable<string> canaries)
    {
        ArgumentNullException.ThrowIfNull(canaries);
        Canaries = [.. canaries];
        if (Canaries.Count == 0)
        {
            throw new ArgumentException("Give at least one canary value.", nameof(canaries));
        }

        for (var index = 0; index < Canaries.Count; index++)
        {
            var value = Canaries[index];
            if (value.Length < MinimumLineLength)
            {
                throw new ArgumentException($"Canary #{index} is shorter than {MinimumLineLength} characters; it would match by chance.", nameof(canaries));
            }

            Add(index, string.Empty, value);
            var lines = value.Split(["\r\n", "\n", "\r"], StringSplitOptions.None);
            if (lines.Length > 1)
            {
                for (var line = 0; line < lines.Length; line++)
                {
                    if (lines[line].Length >= MinimumLineLength)
                    {
                        Add(index, $"line {line + 1}: ", lines[line]);
                    }
                }
            }
        }

        _longest = _patterns.Max(p => p.Bytes.Length);
    }

    /// <summary>Creates a scanner for the given canary values.</summary>
    public CanaryScanner(params string[] canaries)
        : this((IEnumerable<string>)canaries)
    {
    }

    /// <summary>The canary values, in index order.</summary>
    public IReadOnlyList<string> Canaries { get; }

    /// <summary>The names of every form searched for (for reports and tests).</summary>
    public IReadOnlyCollection<string> Forms => _patterns.Select(p => p.Form).Distinct().ToList();

    /// <summary>Searches a block of bytes.</summary>
    public IReadOnlyList<CanaryHit> Scan(ReadOnlySpan<byte> data, string source)
    {
        var hits = new Dictionary<(int, string), CanaryHit>();
        ScanInto(data, 0, source, hits);
        return [.. hits.Values];
    }

    /// <summary>
    /// Searches text held in memory (an exception message, captured console output). The text is searched as
    /// its UTF-8 and its UTF-16 encoding, so every form above applies to it.
    /// </summary>
    public IReadOnlyList<CanaryHit> Scan(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        var hits = new Dictionary<(int, string), CanaryHit>();
        ScanInto(System.Text.Encoding.UTF8.GetBytes(text), 0, source, hits);
        ScanInto(System.Text.Encoding.Unicode.GetBytes(text), 0, source, hits);
        return [.. hits.Values];
    }

    /// <summary>Searches an exception: its message, its <see cref="Exception.ToString"/> (inner exceptions and stack) and, for engine exceptions, every diagnostic.</summary>
    public IReadOnlyList<CanaryHit> Scan(Exception exception, string source)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var hits = new List<CanaryHit>();
        hits.AddRange(Scan(exception.Message, source + " (message)"));
        hits.AddRange(Scan(exception.ToString(), source + " (ToString)"));
        for (var inner = exception; inner is not null; inner = inner.InnerException)
        {
            if (inner is SecretStoreException coded)
            {
                foreach (var diagnostic in coded.Diagnostics)
                {
                    hits.AddRange(Scan($"{diagnostic.Message}\n{diagnostic.FilePath}\n{diagnostic}", source + $" (diagnostic {diagnostic.Code.Id})"));
                }
            }
        }

        return hits;
    }

    /// <summary>Searches a stream from its current position to its end, in chunks (it is never loaded whole).</summary>
    public async Task<IReadOnlyList<CanaryHit>> ScanAsync(Stream stream, string source, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var hits = new Dictionary<(int, string), CanaryHit>();
        var overlap = _longest - 1;
        var buffer = new byte[ChunkSize + overlap];
        var kept = 0;
        long consumed = 0;
        while (true)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(kept, buffer.Length - kept), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                ScanInto(buffer.AsSpan(0, kept), consumed, source, hits);
                break;
            }

            var filled = kept + read;
            if (filled < buffer.Length)
            {
                kept = filled;
                continue;
            }

            ScanInto(buffer.AsSpan(0, filled), consumed, source, hits);
            // Keep the tail so that a match across the chunk boundary is still seen.
            Buffer.BlockCopy(buffer, filled - overlap, buffer, 0, overlap);
            consumed += filled - overlap;
            kept = overlap;
        }

        return [.. hits.Values];
    }

    /// <summary>Searches one file; gzip files and zip archives are also searched decompressed, entry by entry.</summary>
    public async Task<IReadOnlyList<CanaryHit>> ScanFileAsync(string path, CancellationToken cancellationToken = default)
    {
        var hits = new List<CanaryHit>();
        var header = new byte[4];
        await using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16, useAsync: true))
        {
            var headerLength = await file.ReadAtLeastAsync(header, header.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            file.Position = 0;
            hits.AddRange(await ScanAsync(file, path, cancellationToken).ConfigureAwait(false));
            if (headerLength < 4)
            {
                return hits;
            }
        }

        if (header[0] == 0x1F && header[1] == 0x8B)
        {
            await using var file = File.OpenRead(path);
            await using var gzip = new GZipStream(file, CompressionMode.Decompress);
            try
            {
                hits.AddRange(await ScanAsync(gzip, path + "!gunzip", cancellationToken).ConfigureAwait(false));
            }
            catch (InvalidDataException)
            {
                // Not gzip after all: the raw scan above already covered it.
            }
        }
        else if (header[0] == (byte)'P' && header[1] == (byte)'K' && header[2] == 3 && header[3] == 4)
        {
            try
            {
                await using var archive = await ZipFile.OpenReadAsync(path, cancellationToken).ConfigureAwait(false);
                foreach (var entry in archive.Entries)
                {
                    await using var content = await entry.OpenAsync(cancellationToken).ConfigureAwait(false);
                    hits.AddRange(await ScanAsync(content, $"{path}!{entry.FullName}", cancellationToken).ConfigureAwait(false));
                }
            }
            catch (InvalidDataException)
            {
                // Not a readable zip: the raw scan above already covered it.
            }
        }

        return hits;
    }

    /// <summary>Searches every file under a folder, recursively (symbolic links to folders are not followed).</summary>
    public async Task<IReadOnlyList<CanaryHit>> ScanDirectoryAsync(string path, CancellationToken cancellationToken = default)
    {
        var hits = new List<CanaryHit>();
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.ReparsePoint };
        foreach (var file in Directory.EnumerateFiles(path, "*", options))
        {
            hits.AddRange(await ScanFileAsync(file, cancellationToken).ConfigureAwait(false));
        }

        return hits;
    }

    /// <summary>Searches files and folders; a missing path is skipped (a folder the build did not create holds no leak).</summary>
    public async Task<IReadOnlyList<CanaryHit>> ScanPathsAsync(IEnumerable<string> paths, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var hits = new List<CanaryHit>();
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                hits.AddRange(await ScanDirectoryAsync(path, cancellationToken).ConfigureAwait(false));
            }
            else if (File.Exists(path))
            {
                hits.AddRange(await ScanFileAsync(path, cancellationToken).ConfigureAwait(false));
            }
        }

        return hits;
    }

    private void Add(int canary, string prefix, string value)
    {
        foreach (var (form, bytes) in CanaryForms.For(value))
        {
            // An escaped form equal to a form already listed adds nothing (plain ASCII escapes to itself).
            if (bytes.Length > 0 && !_patterns.Any(p => p.Canary == canary && p.Bytes.AsSpan().SequenceEqual(bytes)))
            {
                _patterns.Add(new CanaryPattern(canary, prefix + form, bytes));
            }
        }
    }

    private void ScanInto(ReadOnlySpan<byte> data, long baseOffset, string source, Dictionary<(int, string), CanaryHit> hits)
    {
        foreach (var pattern in _patterns)
        {
            var key = (pattern.Canary, pattern.Form);
            if (hits.ContainsKey(key))
            {
                continue;
            }

            var at = data.IndexOf(pattern.Bytes);
            if (at >= 0)
            {
                hits[key] = new CanaryHit(source, pattern.Canary, pattern.Form, baseOffset + at);
            }
        }
    }
}
