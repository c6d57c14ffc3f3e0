namespace SecretStore.Hardening.Tests.Support;

/// <summary>Entry point when a test starts this assembly as a child process (<c>dotnet SecretStore.Hardening.Tests.dll child ...</c>).</summary>
public static class Program
{
    public static async Task<int> Main(string[] args) => await ChildProcess.RunAsync(args);
}
