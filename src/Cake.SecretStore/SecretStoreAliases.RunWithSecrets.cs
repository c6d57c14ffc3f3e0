using Cake.Core;
using Cake.Core.Annotations;
using Cake.Core.IO;

namespace Cake.SecretStore;

public static partial class SecretStoreAliases
{
    /// <summary>
    /// Runs <paramref name="command"/> with secrets added to its environment and returns its exit code, as
    /// <c>StartProcess</c> does: a non-zero exit code is the script's to judge, not an exception (128 + N when
    /// signal N ended the command). The same engine code as <c>secretstore run</c>: every variable is loaded first (a
    /// missing secret is <c>SSB2001</c> and nothing is started), then the command is looked up (not found:
    /// <c>SSB4004</c>, the <see cref="CakeException"/>'s exit code 127; not executable: 126), then in a GitHub Actions
    /// or Azure Pipelines run every form of every value is registered with the log masker (on stderr), and only then
    /// is the command started, its standard streams inherited. Its arguments are passed as they are, never through a
    /// shell. SIGTERM, SIGHUP, SIGQUIT, SIGUSR1 and SIGUSR2 reach the command; SIGINT too when Cake's input is not a terminal.
    /// <para>
    /// Risks: the command can do what it likes with the values (print them, pass them on); CI masking hides the
    /// literal value and its escaped, Base64 and per-line forms, not every transformation of it. Every child of the
    /// command inherits them. The values stay out of the arguments, so the process list does not show them, but a
    /// process's environment is readable by its own user and root. The variable that held an RSA private key of the
    /// run (<c>PrivateKeyEnvironmentVariable</c>) is never passed on.
    /// </para>
    /// </summary>
    /// <param name="context">The Cake context.</param>
    /// <param name="command">
    /// A program name looked up on the command's <c>PATH</c> (like a shell), or a path with a folder, relative to the
    /// script's working directory. Cake reads <c>"./tool.sh"</c> as the bare name <c>tool.sh</c>: give
    /// <c>MakeAbsolute(File("tool.sh"))</c> or <c>"tools/tool.sh"</c> for a program beside the script.
    /// </param>
    /// <param name="settings">The secrets (<see cref="SecretVariablesSettings.Variables"/>, <see cref="SecretVariablesSettings.Applications"/>), the store and the command's arguments.</param>
    /// <returns>The command's exit code.</returns>
    /// <example>
    /// <code>
    /// var settings = new SecretVariablesSettings { Store = new SecretStoreSettings { Environment = "Production" } };
    /// settings.Variables["ConnectionStrings__Default"] = "Shop/Db";
    /// settings.Arguments.Add("ef");
    /// settings.Arguments.Add("database");
    /// settings.Arguments.Add("update");
    /// var exitCode = RunWithSecrets("dotnet", settings);
    /// if (exitCode != 0)
    /// {
    ///     throw new Exception($"dotnet ef database update failed ({exitCode}).");
    /// }
    /// </code>
    /// </example>
    [CakeMethodAlias]
    public static int RunWithSecrets(this ICakeContext context, FilePath command, SecretVariablesSettings settings) =>
        CakeBridge.Run(context, command, settings);
}
