namespace SecretStore.Testing;

/// <summary>The repository the tests were built from: the folder above the test assembly holding SecretStore.Build.sln.</summary>
public static class RepositoryRoot
{
    private static readonly Lazy<string> Root = new(Find);

    /// <summary>The full path of the repository root.</summary>
    public static string Path => Root.Value;

    /// <summary>The full path of a file or folder of the repository.</summary>
    public static string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "SecretStore.Build.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (SecretStore.Build.sln) was not found above " + AppContext.BaseDirectory);
    }
}
