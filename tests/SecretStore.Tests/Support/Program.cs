using SecretStore.Diagnostics;
using SecretStore.Repositories;
using SecretStore.Repositories.File;
using SecretStore.Secrets;

namespace SecretStore.Tests.Support;

/// <summary>
/// Entry point of the test assembly when a test starts it as a child process (<c>dotnet SecretStore.Tests.dll
/// increment &lt;store&gt; &lt;times&gt;</c>): a second writer on the same store file. The test host never calls it.
/// </summary>
public static class Program
{
    public static readonly SecretId Counter = new("processes", "counter");

    public static async Task<int> Main(string[] args)
    {
        if (args is ["increment", var path, var times])
        {
            await IncrementAsync(new FileSecretRepository(path), int.Parse(times, System.Globalization.CultureInfo.InvariantCulture));
            return 0;
        }

        return 2;
    }

    /// <summary>Read-modify-write of a counter record, retried on conflicts: lost updates would lose counts.</summary>
    public static async Task IncrementAsync(IProtectedSecretRepository repository, int times)
    {
        for (var done = 0; done < times;)
        {
            ProtectedSecretRecord? current;
            try
            {
                current = await repository.GetAsync(Counter);
            }
            catch (StoreFileNotFoundException)
            {
                // The first writer creates the store file.
                current = null;
            }

            var count = current is null ? 0 : BitConverter.ToInt32(current.Envelope);
            try
            {
                await repository.SaveAsync(
                    new ProtectedSecretRecord { Id = Counter, Format = ProtectedSecretFormat.V2, MasterKeyId = "k", Envelope = BitConverter.GetBytes(count + 1) },
                    current?.Revision ?? 0);
                done++;
            }
            catch (ConcurrencyConflictException)
            {
                // Another writer got in between: read again.
            }
        }
    }
}
