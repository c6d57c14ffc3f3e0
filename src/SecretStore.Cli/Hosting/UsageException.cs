using SecretStore.Diagnostics;

namespace SecretStore.Cli.Hosting;

/// <summary>A command line that parses but does not make sense; reported as <c>SSB0001</c>, exit code 2.</summary>
internal sealed class UsageException(string message) : SecretStoreException(DiagnosticCodes.InvalidArgument, message);
