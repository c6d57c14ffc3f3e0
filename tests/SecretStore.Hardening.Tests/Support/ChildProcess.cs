using SecretStore.Configuration;
using SecretStore.Resolution;
using SecretStore.Stores;

namespace SecretStore.Hardening.Tests.Support;

/// <summary>
/// Commands a test runs in a child process of this assembly (<c>dotnet SecretStore.Hardening.Tests.dll &lt;command&gt; ...</c>),
/// so that it can be killed with SIGKILL mid-way.
/// </summary>
public static class ChildProcess
{
    public const string Resolve = "resolve";

    /// <summary>Marker the child prints once it is about to resolve (start-up is done).</summary>
    public const string Ready = "ready";

    /// <summary>Marker the child prints when the resolver is about to write files (values fetched, files rendered).</summary>
    public const string Writing = "writing";

    public static async Task<int> RunAsync(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args is [Resolve, var keyring, var store, var folder])
        {
            // What `secretstore resolve` does: one file store, one engine call over every file of the folder.
            using var secrets = FileSecretStoreFactory.Create(new StoreSettings { Provider = StoreProvider.File, FilePath = store, KeyringPath = keyring });
            var files = Directory.GetFiles(folder, "*.json").Order(StringComparer.Ordinal).ToList();
            await Console.Out.WriteLineAsync(Ready);
            await Console.Out.FlushAsync();
            var result = await new SecretResolver(secrets).ResolveAsync(new ResolveRequest
            {
                Files = files,
                DefaultApplication = "acme-web",
                BeforeWrite = _ =>
                {
                    Console.Out.WriteLine(Writing);
                    Console.Out.Flush();
                },
            });
            return result.Succeeded ? 0 : 1;
        }

        await Console.Error.WriteLineAsync("usage: SecretStore.Hardening.Tests.dll resolve <keyring> <store file> <folder>");
        return 2;
    }
}
