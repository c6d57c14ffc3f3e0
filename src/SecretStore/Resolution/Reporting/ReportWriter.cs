using System.Globalization;
using System.Text;
using System.Text.Json;
using SecretStore.Diagnostics;

namespace SecretStore.Resolution.Reporting;

/// <summary>Writes <see cref="ResolutionReport"/> as JSON or Markdown. Field by field, so nothing unplanned is serialized.</summary>
internal static class ReportWriter
{
    // Relaxed escaping keeps apostrophes and non-ASCII names readable; the report is a file, never HTML.
    public static string ToJson(ResolutionReport report)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("mode", report.Mode.ToString().ToLowerInvariant());
            w.WriteBoolean("succeeded", report.Succeeded);
            w.WriteStartArray("files");
            foreach (var file in report.Files)
            {
                w.WriteStartObject();
                w.WriteString("path", file.Path);
                WriteNullable(w, "format", file.Format?.ToString());
                WriteNullable(w, "encoding", file.Encoding?.ToString());
                w.WriteBoolean("changed", file.Changed);
                w.WriteBoolean("written", file.Written);
                w.WriteStartArray("placeholders");
                foreach (var p in file.Placeholders)
                {
                    w.WriteStartObject();
                    w.WriteNumber("line", p.Line);
                    w.WriteNumber("column", p.Column);
                    w.WriteString("placeholder", p.Placeholder);
                    w.WriteString("source", p.Source.ToString().ToLowerInvariant());
                    w.WriteString("application", p.Application);
                    w.WriteString("name", p.Name);
                    w.WriteString("context", p.Context.ToString());
                    w.WriteStartArray("modifiers");
                    foreach (var modifier in ModifierNames(p.Modifiers))
                    {
                        w.WriteStringValue(modifier);
                    }

                    w.WriteEndArray();
                    w.WriteString("outcome", p.Outcome.ToString());
                    if (p.Revision is { } revision)
                    {
                        w.WriteNumber("revision", revision);
                    }
                    else
                    {
                        w.WriteNull("revision");
                    }

                    WriteNullable(w, "keyId", p.KeyId);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("requiredSecrets");
            foreach (var secret in report.RequiredSecrets)
            {
                w.WriteStartObject();
                w.WriteString("application", secret.Application);
                w.WriteString("name", secret.Name);
                w.WriteBoolean("optional", secret.Optional);
                w.WriteNumber("references", secret.References);
                if (secret.Revision is { } pinned)
                {
                    w.WriteNumber("pinnedRevision", pinned);
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("diagnostics");
            foreach (var d in report.Diagnostics)
            {
                w.WriteStartObject();
                w.WriteString("code", d.Code.Id);
                w.WriteString("severity", d.Severity.ToString().ToLowerInvariant());
                w.WriteString("message", d.Text);
                WriteNullable(w, "file", d.FilePath);
                w.WriteNumber("line", d.Line);
                w.WriteNumber("column", d.Column);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    public static string ToMarkdown(ResolutionReport report)
    {
        var sb = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        sb.Append("# Secret resolution report\n\n");
        sb.Append(inv, $"Mode: **{report.Mode.ToString().ToLowerInvariant()}** — {(report.Succeeded ? "succeeded" : "failed")}\n\n");
        foreach (var file in report.Files)
        {
            sb.Append(inv, $"## {Cell(file.Path)}\n\n");
            sb.Append(inv, $"Format: {file.Format?.ToString() ?? "-"}, encoding: {file.Encoding?.ToString() ?? "-"}, changed: {(file.Changed ? "yes" : "no")}, written: {(file.Written ? "yes" : "no")}\n\n");
            if (file.Placeholders.Count == 0)
            {
                sb.Append("No placeholders.\n\n");
                continue;
            }

            sb.Append("| Line | Column | Application | Name | Context | Modifiers | Outcome | Revision | Key id |\n");
            sb.Append("|---:|---:|---|---|---|---|---|---:|---|\n");
            foreach (var p in file.Placeholders)
            {
                sb.Append(inv, $"| {p.Line} | {p.Column} | {Cell(p.Application)} | {Cell(p.Name)} | {p.Context} | {string.Join(", ", ModifierNames(p.Modifiers))} | {p.Outcome} | {p.Revision?.ToString(inv) ?? ""} | {Cell(p.KeyId ?? "")} |\n");
            }

            sb.Append('\n');
        }

        if (report.RequiredSecrets.Count > 0)
        {
            sb.Append("## Required secrets\n\n| Application | Name | Optional | References |\n|---|---|---|---:|\n");
            foreach (var s in report.RequiredSecrets)
            {
                sb.Append(inv, $"| {Cell(s.Application)} | {Cell(s.Name)}{(s.Revision is { } pinned ? $" @{pinned}" : string.Empty)} | {(s.Optional ? "yes" : "no")} | {s.References} |\n");
            }

            sb.Append('\n');
        }

        if (report.Diagnostics.Count > 0)
        {
            sb.Append("## Diagnostics\n\n");
            foreach (var d in report.Diagnostics)
            {
                sb.Append("- `").Append(d.ToMSBuildFormat().Replace("`", "'", StringComparison.Ordinal)).Append("`\n");
            }
        }

        return sb.ToString();
    }

    internal static IEnumerable<string> ModifierNames(Syntax.PlaceholderModifiers modifiers)
    {
        if ((modifiers & Syntax.PlaceholderModifiers.Json) != 0)
        {
            yield return "json";
        }

        if ((modifiers & Syntax.PlaceholderModifiers.Base64) != 0)
        {
            yield return "base64";
        }

        if ((modifiers & Syntax.PlaceholderModifiers.Raw) != 0)
        {
            yield return "raw";
        }

        if ((modifiers & Syntax.PlaceholderModifiers.Optional) != 0)
        {
            yield return "optional";
        }

        if ((modifiers & Syntax.PlaceholderModifiers.Literal) != 0)
        {
            yield return "literal";
        }
    }

    private static void WriteNullable(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null)
        {
            w.WriteNull(name);
        }
        else
        {
            w.WriteString(name, value);
        }
    }

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal).Replace("\r", " ", StringComparison.Ordinal);
}
