using System.Text.Json;

namespace SecretStore.Resolution.Formats;

/// <summary>
/// Parses JSON (comments and trailing commas allowed, as in appsettings files) and compares the structure of
/// the input and the output: same kinds, same keys in the same order, same array lengths. A string that was a
/// <c>json</c>-modifier placeholder may become any value.
/// </summary>
internal static class JsonShape
{
    private static readonly JsonDocumentOptions Options = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        MaxDepth = 256,
    };

    /// <summary>Parses; on failure gives the 1-based line and column (from the parser, not from any value).</summary>
    public static JsonDocument? TryParse(string text, out int line, out int column)
    {
        line = 0;
        column = 0;
        try
        {
            return JsonDocument.Parse(text, Options);
        }
        catch (JsonException ex)
        {
            line = (int)(ex.LineNumber ?? -1) + 1;
            column = (int)(ex.BytePositionInLine ?? -1) + 1;
            return null;
        }
    }

    /// <summary>Returns null when the shapes match, otherwise the configuration path where they differ.</summary>
    public static string? FindDifference(JsonElement input, JsonElement output, IReadOnlySet<string> wildcards, string path = "")
    {
        if (wildcards.Count > 0 && input.ValueKind == JsonValueKind.String && wildcards.Contains(input.GetString()!))
        {
            return null;
        }

        if (Kind(input.ValueKind) != Kind(output.ValueKind))
        {
            return Display(path);
        }

        switch (input.ValueKind)
        {
            case JsonValueKind.Object:
                using (var a = input.EnumerateObject().GetEnumerator())
                using (var b = output.EnumerateObject().GetEnumerator())
                {
                    while (true)
                    {
                        var hasA = a.MoveNext();
                        var hasB = b.MoveNext();
                        if (hasA != hasB)
                        {
                            return Display(path);
                        }

                        if (!hasA)
                        {
                            return null;
                        }

                        var childPath = path.Length == 0 ? a.Current.Name : path + ":" + a.Current.Name;
                        if (!string.Equals(a.Current.Name, b.Current.Name, StringComparison.Ordinal))
                        {
                            return Display(childPath);
                        }

                        var difference = FindDifference(a.Current.Value, b.Current.Value, wildcards, childPath);
                        if (difference is not null)
                        {
                            return difference;
                        }
                    }
                }

            case JsonValueKind.Array:
                if (input.GetArrayLength() != output.GetArrayLength())
                {
                    return Display(path);
                }

                var index = 0;
                using (var a = input.EnumerateArray().GetEnumerator())
                using (var b = output.EnumerateArray().GetEnumerator())
                {
                    while (a.MoveNext() && b.MoveNext())
                    {
                        var difference = FindDifference(a.Current, b.Current, wildcards, path.Length == 0 ? $"{index}" : $"{path}:{index}");
                        if (difference is not null)
                        {
                            return difference;
                        }

                        index++;
                    }
                }

                return null;
            default:
                return null;
        }
    }

    // true and false are one kind: a value may flip a boolean only through the json modifier, which is a wildcard anyway.
    private static JsonValueKind Kind(JsonValueKind kind) => kind == JsonValueKind.False ? JsonValueKind.True : kind;

    private static string Display(string path) => path.Length == 0 ? "(root)" : path;
}
