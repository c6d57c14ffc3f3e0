using System.Security;
using System.Text;
using System.Text.Json;

namespace SecretStore.Cli.Tests.Infrastructure;

/// <summary>Checks that output holds no form of a secret value: raw, JSON-escaped, XML-escaped or Base64.</summary>
public static class ValueScanner
{
    public static IEnumerable<string> FormsOf(string value)
    {
        yield return value;
        var json = JsonSerializer.Serialize(value)[1..^1];
        yield return json;
        yield return SecurityElement.Escape(value);
        yield return Convert.ToBase64String(Encoding.UTF8.GetBytes(value));
    }

    public static void AssertNoValue(string output, string what, params string[] values)
    {
        foreach (var value in values)
        {
            foreach (var form in FormsOf(value).Distinct(StringComparer.Ordinal))
            {
                Assert.False(output.Contains(form, StringComparison.Ordinal), $"{what} contains a form of a secret value.");
            }
        }
    }

    public static void AssertNoValue(ProcessResult result, params string[] values)
    {
        AssertNoValue(result.Stdout, "stdout", values);
        AssertNoValue(result.Stderr, "stderr", values);
    }
}
