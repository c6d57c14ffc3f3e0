using System.Runtime.CompilerServices;

namespace SecretStore.Aws.Tests.Infrastructure;

internal static class NoInstanceMetadata
{
    /// <summary>
    /// Tests talk to loopback endpoints only; the SDK's credential and region chains must never probe the EC2
    /// instance metadata service (an off-machine address) while they run.
    /// </summary>
#pragma warning disable CA2255 // A test assembly is the right place: this must hold before any test touches the SDK.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Disable() => Environment.SetEnvironmentVariable("AWS_EC2_METADATA_DISABLED", "true");
}
