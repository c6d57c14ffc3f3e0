namespace SecretStore.Build.Tests.Infrastructure;

/// <summary>Finds the repository the tests run from.</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string PackageProject => Path.Combine(Root, "src", "SecretStore.Build", "SecretStore.Build.csproj");

    public static string Sample(string name) => Path.Combine(Root, "samples", name);

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "SecretStore.Build.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"SecretStore.Build.sln not found above {AppContext.BaseDirectory}.");
    }
}
