using System.IO.Compression;
using SecretStore.Build.Tests.Infrastructure;

namespace SecretStore.Build.Tests;

/// <summary>
/// The packed SecretStore.Build: the tasks and their own dependencies under tasks/net10.0/, MSBuild's assemblies
/// left out by <c>Publish="false"</c> on the references (not by file name), nothing for the consuming app.
/// </summary>
[Collection(PackageCollection.Name)]
public sealed class PackageLayoutTests(PackageFeed feed)
{
    [Fact]
    public void The_package_carries_the_tasks_and_their_dependencies_but_no_MSBuild_assembly_and_no_lib_folder()
    {
        using var package = ZipFile.OpenRead(feed.PackagePath);
        var entries = package.Entries.Select(e => e.FullName).ToList();
        var tasks = entries.Where(e => e.StartsWith("tasks/net10.0/", StringComparison.Ordinal)).Select(e => e["tasks/net10.0/".Length..]).ToList();

        Assert.Contains("SecretStore.Build.dll", tasks);
        Assert.Contains("SecretStore.Build.deps.json", tasks);
        Assert.Contains("SecretStore.dll", tasks);
        Assert.Contains("SecretStore.Aws.dll", tasks);
        Assert.Contains("AWSSDK.KeyManagementService.dll", tasks);
        Assert.Contains("Microsoft.Extensions.FileSystemGlobbing.dll", tasks);

        // The running MSBuild supplies these; a second copy beside the task could be loaded instead of its own.
        Assert.DoesNotContain(tasks, t => t.StartsWith("Microsoft.Build", StringComparison.Ordinal));
        Assert.DoesNotContain("Microsoft.NET.StringTools.dll", tasks);
        Assert.DoesNotContain("System.Collections.Immutable.dll", tasks);
        Assert.DoesNotContain(tasks, t => t.EndsWith(".xml", StringComparison.Ordinal));
        Assert.DoesNotContain(entries, e => e.StartsWith("lib/", StringComparison.Ordinal) || e.StartsWith("ref/", StringComparison.Ordinal));
        Assert.Contains("build/SecretStore.Build.targets", entries);
        Assert.Contains("buildTransitive/SecretStore.Build.props", entries);
    }
}
