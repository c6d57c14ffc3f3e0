using System.Globalization;
using SecretStore.Cli.Hosting;
using SecretStore.Diagnostics.Ci;
using SecretStore.Running;

namespace SecretStore.Cli.Ci;

/// <summary>
/// The counts of a resolve, verify or required run as outputs of the CI step that ran it, so later steps can test
/// them (<c>if: steps.secrets.outputs.secrets != '0'</c>): <c>files</c> (files written), <c>placeholders</c>
/// (placeholders and mappings found) and <c>secrets</c> (distinct secrets named). Counts only, never a name or value.
/// GitHub Actions: appended to the file named by <c>GITHUB_OUTPUT</c> (the runner's documented channel; nothing
/// when it is not set). Azure Pipelines: <c>task.setvariable</c> commands with <c>isOutput=true</c> on stderr, where
/// the mask commands go too (stdout is the list of written files).
/// </summary>
internal static class CiStepOutputs
{
    public static void Write(CiSystem system, Func<string, string?> environment, CliConsole console, RunResult result)
    {
        var outputs = new (string Name, int Value)[]
        {
            ("files", result.FilesWritten),
            ("placeholders", result.PlaceholderCount),
            ("secrets", result.SecretCount),
        };
        switch (system)
        {
            case CiSystem.GitHubActions when environment("GITHUB_OUTPUT") is { Length: > 0 } path:
                // The runner creates the file per step; append, as `echo name=value >> "$GITHUB_OUTPUT"` does.
                File.AppendAllText(path, string.Concat(outputs.Select(o => string.Create(CultureInfo.InvariantCulture, $"{o.Name}={o.Value}\n"))));
                break;
            case CiSystem.AzurePipelines:
                foreach (var (name, value) in outputs)
                {
                    console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"##vso[task.setvariable variable={name};isOutput=true]{value}"));
                }

                break;
        }
    }
}
