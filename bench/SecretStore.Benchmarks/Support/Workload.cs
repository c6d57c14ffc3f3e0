using System.Globalization;
using System.Text;

namespace SecretStore.Benchmarks.Support;

/// <summary>
/// Deterministic benchmark inputs: secret values (some with quotes, backslashes and markup, so escaping is
/// exercised) and config files of a given size with placeholders spread evenly through them. The same
/// generator feeds BenchmarkDotNet and bench/compare.sh, so both measure the same shapes of file.
/// </summary>
public static class Workload
{
    /// <summary>The application every benchmark secret belongs to.</summary>
    public const string Application = "Bench";

    /// <summary>The secret name of index <paramref name="i"/> (<c>S0000</c>...).</summary>
    public static string SecretName(int i) => string.Create(CultureInfo.InvariantCulture, $"S{i:D4}");

    /// <summary><paramref name="count"/> distinct names and throwaway values (benchmark data, not secrets).</summary>
    public static IReadOnlyList<(string Name, string Value)> Secrets(int count)
    {
        var random = new Random(20261128);
        var result = new List<(string, string)>(count);
        for (var i = 0; i < count; i++)
        {
            var body = new StringBuilder();
            for (var k = 0; k < 28; k++)
            {
                body.Append((char)('a' + random.Next(26)));
            }

            // One value in five carries characters that JSON or XML must escape.
            var value = (i % 5) switch
            {
                0 => $"Server=db{i};Password=\"{body}\\x<&>'",
                _ => body.ToString(),
            };
            result.Add((SecretName(i), value));
        }

        return result;
    }

    /// <summary>How a placeholder is spelled: ours (<c>#{secret:Name}</c>) or replacetokens' (<c>#{Name}#</c>).</summary>
    public enum TokenStyle
    {
        /// <summary><c>#{secret:Name}</c>, resolved by SecretStore.</summary>
        SecretStore,

        /// <summary><c>#{Name}#</c>, the default token pattern of replacetokens.</summary>
        ReplaceTokens,
    }

    /// <summary>A placeholder for <paramref name="name"/> in <paramref name="style"/>.</summary>
    public static string Token(string name, TokenStyle style) =>
        style == TokenStyle.SecretStore ? "#{secret:" + name + "}" : "#{" + name + "}#";

    /// <summary>
    /// An appsettings-like JSON file of about <paramref name="targetBytes"/> bytes. Placeholder <c>j</c> is the
    /// string value of <c>Secrets.Key{j}</c> and names <paramref name="names"/>[j]; the rest is filler settings.
    /// </summary>
    public static string Json(int targetBytes, IReadOnlyList<string> names, TokenStyle style)
    {
        var filler = FillerCount(targetBytes, names.Count, 64);
        var builder = new StringBuilder(targetBytes + 1024);
        builder.Append("{\n  \"Logging\": { \"LogLevel\": { \"Default\": \"Information\", \"Microsoft.AspNetCore\": \"Warning\" } },\n");
        builder.Append("  \"AllowedHosts\": \"*\",\n  \"Settings\": {\n");
        for (var i = 0; i < filler; i++)
        {
            builder.Append(CultureInfo.InvariantCulture, $"    \"Item{i:D5}\": \"value {i} of the plain settings, unchanged\",\n");
        }

        builder.Append("    \"Count\": 3\n  },\n  \"Secrets\": {\n");
        for (var j = 0; j < names.Count; j++)
        {
            builder.Append(CultureInfo.InvariantCulture, $"    \"Key{j}\": \"{Token(names[j], style)}\"{(j + 1 < names.Count ? "," : string.Empty)}\n");
        }

        builder.Append("  }\n}\n");
        return builder.ToString();
    }

    /// <summary>
    /// A web.config-like XML file of about <paramref name="targetBytes"/> bytes. Placeholder <c>j</c> is the value
    /// attribute of <c>&lt;add key="Key{j}"&gt;</c> under appSettings and names <paramref name="names"/>[j].
    /// </summary>
    public static string Xml(int targetBytes, IReadOnlyList<string> names, TokenStyle style)
    {
        var filler = FillerCount(targetBytes, names.Count, 72);
        var builder = new StringBuilder(targetBytes + 1024);
        builder.Append("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<configuration>\n  <appSettings>\n");
        for (var i = 0; i < filler; i++)
        {
            builder.Append(CultureInfo.InvariantCulture, $"    <add key=\"Item{i:D5}\" value=\"value {i} of the plain settings\" />\n");
        }

        for (var j = 0; j < names.Count; j++)
        {
            builder.Append(CultureInfo.InvariantCulture, $"    <add key=\"Key{j}\" value=\"{Token(names[j], style)}\" />\n");
        }

        builder.Append("  </appSettings>\n  <system.webServer>\n    <handlers>\n      <add name=\"aspNetCore\" path=\"*\" verb=\"*\" modules=\"AspNetCoreModuleV2\" resourceType=\"Unspecified\" />\n");
        builder.Append("    </handlers>\n    <aspNetCore processPath=\"dotnet\" arguments=\".\\WebApp.dll\" stdoutLogEnabled=\"false\" />\n  </system.webServer>\n</configuration>\n");
        return builder.ToString();
    }

    /// <summary>
    /// A Helm values-like YAML file of about <paramref name="targetBytes"/> bytes: comments, nested mappings and a
    /// sequence of plain filler; placeholder <c>j</c> is the double-quoted value of <c>Key{j}</c> under <c>secrets</c>
    /// (one in four single-quoted, one in four a literal block) and names <paramref name="names"/>[j].
    /// </summary>
    public static string Yaml(int targetBytes, IReadOnlyList<string> names, TokenStyle style)
    {
        var filler = FillerCount(targetBytes, names.Count, 56);
        var builder = new StringBuilder(targetBytes + 1024);
        builder.Append("# Default values for the chart.\nreplicaCount: 2\nimage:\n  repository: registry.example/shop\n  tag: \"1.4.2\"\nsettings:\n");
        for (var i = 0; i < filler; i++)
        {
            builder.Append(CultureInfo.InvariantCulture, $"  item{i:D5}: value {i} of the plain settings # unchanged\n");
        }

        builder.Append("secrets:\n");
        for (var j = 0; j < names.Count; j++)
        {
            var token = Token(names[j], style);
            var key = "key" + j.ToString(CultureInfo.InvariantCulture);
            builder.Append((j % 4) switch
            {
                1 => $"  {key}: '{token}'\n",
                3 => $"  {key}: |\n    {token}\n",
                _ => $"  {key}: \"{token}\"\n",
            });
        }

        return builder.ToString();
    }

    private static int FillerCount(int targetBytes, int placeholders, int lineBytes) =>
        Math.Max(0, (targetBytes - 400 - (placeholders * 40)) / lineBytes);
}
