namespace SecretStore.Cli.Hosting;

/// <summary>The documented exit codes (docs/cli.md).</summary>
internal static class ExitCodes
{
    /// <summary>The command did what was asked.</summary>
    public const int Success = 0;

    /// <summary>A resolution, store, key or file error; details on stderr as coded diagnostics.</summary>
    public const int Failed = 1;

    /// <summary>The command line was wrong (unknown command or option, missing argument, bad store syntax).</summary>
    public const int Usage = 2;
}
