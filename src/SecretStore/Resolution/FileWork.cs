using System.Text.Json;
using SecretStore.Resolution.Formats;
using SecretStore.Resolution.Text;

namespace SecretStore.Resolution;

/// <summary>Everything the resolver knows about one listed file between reading it and writing it.</summary>
internal sealed class FileWork(string path, string fullPath)
{
    public string Path { get; } = path;

    public string FullPath { get; } = fullPath;

    /// <summary>True when the file could not be read, decoded or parsed (an error is reported).</summary>
    public bool Failed { get; set; }

    public byte[]? Bytes { get; set; }

    public TextEncodingKind? Encoding { get; set; }

    /// <summary>Decoded text without BOM; null when the cheap scan found nothing to do.</summary>
    public string? Text { get; set; }

    public LineMap? Lines { get; set; }

    public FileFormat? Format { get; set; }

    public IFormatLayout? Layout { get; set; }

    public JsonElement? JsonInput { get; set; }

    public List<string>? XmlInput { get; set; }

    /// <summary>The INI reader's keys and values of the input.</summary>
    public IReadOnlyList<KeyValuePair<string, string?>>? IniInput { get; set; }

    public List<Substitution> Substitutions { get; } = [];

    /// <summary>Offsets of <c>##{secret:</c> escapes: the first <c>#</c> is dropped.</summary>
    public List<int> Escapes { get; } = [];

    public byte[]? Output { get; set; }

    public bool Changed { get; set; }

    public bool Written { get; set; }
}
