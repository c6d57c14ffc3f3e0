using System.Xml.Linq;

namespace SecretStore.Build.Tests.Infrastructure;

/// <summary>
/// A copy of one of samples/ in a temporary folder, set up like a user's machine: a nuget.config with the
/// local feed and nuget.org, and the package version of this test run.
/// </summary>
public sealed class SampleProject
{
    private SampleProject(string name, string workDirectory)
    {
        Name = name;
        WorkDirectory = workDirectory;
        Directory = Path.Combine(workDirectory, name);
    }

    public string Name { get; }

    /// <summary>The folder holding the project folder, the store and the publish folders.</summary>
    public string WorkDirectory { get; }

    /// <summary>The project folder.</summary>
    public string Directory { get; }

    public string ProjectFile => Path.Combine(Directory, Name + ".csproj");

    public static SampleProject Create(PackageFeed feed, string sample, string? scenario = null)
    {
        var project = new SampleProject(sample, feed.NewWorkDirectory(scenario ?? sample));
        CopyDirectory(RepositoryPaths.Sample(sample), project.Directory);

        var sources = new XElement("packageSources",
            new XElement("clear"),
            new XElement("add", new XAttribute("key", "local-test-feed"), new XAttribute("value", feed.FeedDirectory)),
            new XElement("add", new XAttribute("key", "nuget.org"), new XAttribute("value", "https://api.nuget.org/v3/index.json")));
        var config = new XElement("configuration",
            sources,
            new XElement("config", new XElement("add", new XAttribute("key", "globalPackagesFolder"), new XAttribute("value", feed.PackagesDirectory))));
        var userPackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        if (System.IO.Directory.Exists(userPackages))
        {
            // Packages the machine already has are read from there (never written), so restores stay offline-fast.
            config.Add(new XElement("fallbackPackageFolders", new XElement("add", new XAttribute("key", "user"), new XAttribute("value", userPackages))));
        }

        new XDocument(config).Save(Path.Combine(project.WorkDirectory, "nuget.config"));

        // Like samples/Directory.Build.props, but pinned to the version packed for this run.
        new XDocument(new XElement("Project",
            new XElement("PropertyGroup", new XElement("SecretStoreBuildVersion", feed.Version)))).Save(Path.Combine(project.WorkDirectory, "Directory.Build.props"));
        new XDocument(new XElement("Project",
            new XElement("PropertyGroup", new XElement("ManagePackageVersionsCentrally", "false")))).Save(Path.Combine(project.WorkDirectory, "Directory.Packages.props"));
        return project;
    }

    /// <summary><c>dotnet publish</c> of the project with the given MSBuild properties.</summary>
    public Task<CommandResult> PublishAsync(string outputDirectory, IEnumerable<string>? extraArguments = null, IReadOnlyDictionary<string, string?>? environment = null) =>
        DotNet.RunAsync(Directory, ["publish", ProjectFile, "-c", "Release", "-o", outputDirectory, "-nodeReuse:false", .. extraArguments ?? []], environment);

    /// <summary><c>dotnet publish</c> without an output folder (a publish profile decides where).</summary>
    public Task<CommandResult> PublishWithProfileAsync(string profile, IEnumerable<string>? extraArguments = null) =>
        DotNet.RunAsync(Directory, ["publish", ProjectFile, "-c", "Release", $"-p:PublishProfile={profile}", "-nodeReuse:false", .. extraArguments ?? []]);

    /// <summary>Writes Properties/PublishProfiles/<paramref name="name"/>.pubxml.</summary>
    public void AddPublishProfile(string name, string content)
    {
        var folder = Path.Combine(Directory, "Properties", "PublishProfiles");
        System.IO.Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, name + ".pubxml"), content);
    }

    public Task<CommandResult> RunAsync(IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null) =>
        DotNet.RunAsync(Directory, [.. arguments], environment);

    private static void CopyDirectory(string source, string destination)
    {
        System.IO.Directory.CreateDirectory(destination);
        foreach (var file in System.IO.Directory.EnumerateFiles(source))
        {
            File.Copy(file, Path.Combine(destination, Path.GetFileName(file)));
        }

        foreach (var directory in System.IO.Directory.EnumerateDirectories(source))
        {
            var name = Path.GetFileName(directory);
            if (name is "bin" or "obj")
            {
                continue;
            }

            CopyDirectory(directory, Path.Combine(destination, name));
        }
    }
}
