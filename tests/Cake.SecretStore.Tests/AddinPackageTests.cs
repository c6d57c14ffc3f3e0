using System.IO.Compression;
using System.Xml.Linq;

namespace Cake.SecretStore.Tests;

/// <summary>Cake loads an addin's own lib folder and ignores its NuGet dependencies: the package must carry them.</summary>
[Collection(CakeCollection.Name)]
public sealed class AddinPackageTests(AddinFeed feed)
{
    [Fact]
    public void Package_carries_engine_and_aws_assemblies_in_lib_but_not_cake_core_and_declares_no_dependencies()
    {
        using var package = ZipFile.OpenRead(Path.Combine(feed.FeedDirectory, $"Cake.SecretStore.{feed.Version}.nupkg"));
        var lib = package.Entries.Where(e => e.FullName.StartsWith("lib/net10.0/", StringComparison.Ordinal)).Select(e => e.Name).ToHashSet();

        foreach (var assembly in new[] { "Cake.SecretStore.dll", "SecretStore.dll", "SecretStore.Aws.dll", "AWSSDK.Core.dll", "AWSSDK.DynamoDBv2.dll", "AWSSDK.KeyManagementService.dll", "Microsoft.Extensions.FileSystemGlobbing.dll", "SecretStore.PostgreSql.dll", "Npgsql.dll" })
        {
            Assert.Contains(assembly, lib);
        }

        Assert.DoesNotContain("Cake.Core.dll", lib);
        // Cake supplies Logging.Abstractions 8.0; the package carries Npgsql's net8.0 build, which references that one.
        Assert.DoesNotContain("Microsoft.Extensions.Logging.Abstractions.dll", lib);
        Assert.Contains("lib/net10.0/Npgsql.dll", package.Entries.Select(e => e.FullName));
        using var nuspec = package.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open();
        var dependencies = XDocument.Load(nuspec).Descendants().Where(e => e.Name.LocalName == "dependency");
        Assert.Empty(dependencies);
    }
}
