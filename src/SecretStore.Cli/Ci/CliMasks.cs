using SecretStore.Cli.Hosting;
using SecretStore.Diagnostics.Ci;

namespace SecretStore.Cli.Ci;

/// <summary>The engine's <see cref="CiMasker"/> wired to the CLI: commands on stderr, warnings through the console.</summary>
internal static class CliMasks
{
    /// <summary>
    /// The masker of this run, for a command about to handle values. Refuses (<c>SSB0007</c>) when variables of
    /// both runners are set, before any value is read: masking for the wrong one prints every value in clear.
    /// </summary>
    public static CiMasker ForValues(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        CiMasker.ThrowIfAmbiguous(context.Environment);
        return new CiMasker(context.Console.Ci, context.Console.Error, context.Console.Report);
    }
}
