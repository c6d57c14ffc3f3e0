using SecretStore.Cli.Hosting;
using SecretStore.Secrets;

namespace SecretStore.Cli.Options;

/// <summary>Parses <c>&lt;app&gt;/&lt;name&gt;</c>: the application is everything before the first slash.</summary>
internal static class SecretIdArgument
{
    public static SecretId Parse(string? text)
    {
        var slash = text?.IndexOf('/', StringComparison.Ordinal) ?? -1;
        if (text is null || slash <= 0 || slash == text.Length - 1)
        {
            // The text is not repeated: a value typed in place of the id must not reach a log.
            throw new UsageException($"The secret id given is not <app>/<name> ({UsageErrors.NotRepeated}).");
        }

        return new SecretId(text[..slash], text[(slash + 1)..]);
    }
}
