namespace SecretStore.Hardening.Tests.Support;

/// <summary>Commands a test can run in a child process of this assembly.</summary>
public static class ChildProcess
{
    public static Task<int> RunAsync(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        Console.Error.WriteLine("usage: SecretStore.Hardening.Tests.dll <command> ...");
        return Task.FromResult(2);
    }
}
