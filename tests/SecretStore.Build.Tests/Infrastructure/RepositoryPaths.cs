namespace SecretStore.Build.Tests.Infrastructure;

/// <summary>Finds the repository the tests run from.</summary>
public static class RepositoryPaths
{
    public static string Root => SecretStore.Testing.RepositoryRoot.Path;

    public static string PackageProject => Path.Combine(Root, "src", "SecretStore.Build", "SecretStore.Build.csproj");

    public static string Sample(string name) => Path.Combine(Root, "samples", name);
}
