using System.Security.Cryptography;
using System.Text;

namespace SecretStore.Testing.Processes;

/// <summary>
/// The child of the <c>run</c> tests (the CLI's <c>run</c>, Cake's <c>RunWithSecrets</c>): a small bash program that prints the SHA-256 of each variable it is asked about
/// (or <c>unset</c>), never a value, and the names of its exported variables; it marks that it started (a file), so a
/// test can prove a child was not started, and it exits, kills itself or waits for SIGTERM as told.
/// Arguments: <c>&lt;marker folder&gt; &lt;exit:N | self-kill | wait-for-term&gt; &lt;names...&gt;</c>.
/// </summary>
public sealed class EnvProbe
{
    private const string Script = """
        #!/bin/bash
        marker="$1"; mode="$2"; shift 2
        touch "$marker/started"
        echo "child-started" >&2
        echo "child-started"
        for n in "$@"; do
          if [ -n "${!n+set}" ]; then printf '%s=%s\n' "$n" "$(printf '%s' "${!n}" | sha256sum | cut -c1-64)"; else printf '%s=unset\n' "$n"; fi
        done
        printf 'names:%s\n' "$(compgen -e | grep -vx -e PWD -e SHLVL -e _ -e OLDPWD | sort | tr '\n' ' ')"
        case "$mode" in
          exit:*) exit "${mode#exit:}" ;;
          self-kill) kill -TERM $$ ;;
          wait-for-term) trap 'touch "$marker/got-term"; exit 42' TERM; while :; do sleep 0.05; done ;;
        esac
        """;

    public EnvProbe(string folder)
    {
        Folder = folder;
        Path = System.IO.Path.Combine(folder, "env-probe.sh");
        File.WriteAllText(Path, Script.ReplaceLineEndings("\n") + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    public string Folder { get; }

    public string Path { get; }

    public bool Started => File.Exists(System.IO.Path.Combine(Folder, "started"));

    public bool GotTerm => File.Exists(System.IO.Path.Combine(Folder, "got-term"));

    /// <summary>The arguments after <c>--</c>: the probe, its mode and the variables to hash.</summary>
    public string[] Command(string mode, params string[] names) => [Path, Folder, mode, .. names];

    public static string Hash(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));

    /// <summary>The hash the probe printed for <paramref name="name"/>, or <c>unset</c>, read from its <paramref name="output"/>.</summary>
    public static string Reported(string output, string name) =>
        Lines(output).Single(l => l.StartsWith(name + "=", StringComparison.Ordinal))[(name.Length + 1)..];

    /// <summary>The exported variable names the probe saw (bash's own PWD, SHLVL and _ left out).</summary>
    public static IReadOnlyList<string> Names(string output) =>
        Lines(output).Single(l => l.StartsWith("names:", StringComparison.Ordinal))["names:".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);

    private static IEnumerable<string> Lines(string output) => output.Split('\n').Select(l => l.TrimEnd('\r'));
}
