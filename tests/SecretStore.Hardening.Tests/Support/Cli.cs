using System.Reflection;

namespace SecretStore.Hardening.Tests.Support;

/// <summary>Where the CLI's build output is (set by the project file), to run `secretstore` as a real process.</summary>
public static class Cli
{
    public static string Directory { get; } = typeof(Cli).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "CliDirectory").Value!;

    public static string Dll => Path.Combine(Directory, "SecretStore.Cli.dll");
}
