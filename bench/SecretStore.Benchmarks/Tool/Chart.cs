using System.Globalization;
using System.Net;
using System.Text;

namespace SecretStore.Benchmarks.Tool;

/// <summary>
/// A horizontal bar chart of ratios (ours / reference, lower is better) with each row's target marked, as a
/// plain SVG file: no native graphics library, so it renders the same on any machine and diffs as text.
/// Input: a TSV of <c>label, ratio, target</c> (target may be empty).
/// </summary>
public static class Chart
{
    private const int Left = 330;
    private const int Width = 900;
    private const int RowHeight = 30;
    private const int Top = 56;

    /// <summary>Reads <paramref name="tsvPath"/> and writes the chart to <paramref name="svgPath"/>.</summary>
    public static void Write(string tsvPath, string svgPath)
    {
        var rows = File.ReadAllLines(tsvPath)
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split('\t'))
            .Select(p => (Label: p[0], Ratio: Parse(p[1]), Target: p.Length > 2 ? Parse(p[2]) : null))
            .Where(r => r.Ratio is not null)
            .ToList();
        var max = Math.Max(1.5, rows.Max(r => Math.Max(r.Ratio!.Value, r.Target ?? 0)) * 1.12);
        var plot = Width - Left - 40;
        double X(double v) => Left + (v / max * plot);
        var height = Top + (rows.Count * RowHeight) + 40;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"13\">\n");
        svg.Append(CultureInfo.InvariantCulture, $"<rect width=\"{Width}\" height=\"{height}\" fill=\"white\"/>\n");
        svg.Append("<text x=\"12\" y=\"24\" font-size=\"16\" font-weight=\"bold\">SecretStore.Build vs reference: time ratio ours / theirs (lower is better)</text>\n");
        svg.Append("<text x=\"12\" y=\"42\" fill=\"#555\">bar: measured median ratio; black tick: target from issue 9; green = target met, red = missed</text>\n");
        for (var tick = 0.0; tick <= max; tick += max > 6 ? 1 : 0.5)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{X(tick):0.#}\" y1=\"{Top - 4}\" x2=\"{X(tick):0.#}\" y2=\"{height - 34}\" stroke=\"{(tick == 1 ? "#888" : "#e4e4e4")}\"/>\n");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{X(tick):0.#}\" y=\"{height - 18}\" text-anchor=\"middle\" fill=\"#555\">{tick:0.#}×</text>\n");
        }

        for (var i = 0; i < rows.Count; i++)
        {
            var (label, ratio, target) = rows[i];
            var y = Top + (i * RowHeight);
            var met = target is null || ratio <= target;
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 8}\" y=\"{y + 19}\" text-anchor=\"end\">{WebUtility.HtmlEncode(label)}</text>\n");
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{Left}\" y=\"{y + 6}\" width=\"{X(ratio!.Value) - Left:0.#}\" height=\"18\" fill=\"{(met ? "#3a9d5d" : "#d0453a")}\"/>\n");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{X(ratio.Value) + 5:0.#}\" y=\"{y + 20}\">{ratio:0.00}×</text>\n");
            if (target is { } t)
            {
                svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{X(t):0.#}\" y1=\"{y + 2}\" x2=\"{X(t):0.#}\" y2=\"{y + 28}\" stroke=\"black\" stroke-width=\"3\"/>\n");
            }
        }

        svg.Append("</svg>\n");
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(svgPath))!);
        File.WriteAllText(svgPath, svg.ToString());
    }

    private static double? Parse(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value) ? value : null;
}
