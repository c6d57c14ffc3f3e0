using System.Xml.Linq;
using SecretStore.Build.Tests.Infrastructure;

namespace SecretStore.Build.Tests;

/// <summary>
/// The targets file itself. MSBuild runs a target once per project instance, so the publish and the build-output
/// resolve cannot share one parameterised target (the second call would be skipped): they call the task twice, and
/// this test keeps the two calls from drifting apart.
/// </summary>
public sealed class TargetsFileTests
{
    [Fact]
    public void The_publish_and_the_build_output_calls_of_ResolveSecrets_pass_the_same_settings_and_differ_only_in_the_folder()
    {
        var targets = XDocument.Load(Path.Combine(RepositoryPaths.Root, "src", "SecretStore.Build", "build", "SecretStore.Build.targets"));
        var calls = targets.Descendants().Where(e => e.Name.LocalName == "ResolveSecrets").ToList();

        Assert.Equal(2, calls.Count);
        var perCall = new HashSet<string>(StringComparer.Ordinal) { "Directory", "SourceFiles" };
        var publish = calls[0].Attributes().Where(a => !perCall.Contains(a.Name.LocalName)).ToDictionary(a => a.Name.LocalName, a => a.Value);
        var build = calls[1].Attributes().Where(a => !perCall.Contains(a.Name.LocalName)).ToDictionary(a => a.Name.LocalName, a => a.Value);
        Assert.Equal(publish.OrderBy(p => p.Key, StringComparer.Ordinal), build.OrderBy(p => p.Key, StringComparer.Ordinal));
    }
}
