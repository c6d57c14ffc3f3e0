using SecretStore.Aws;
using System.Globalization;
using SecretStore.Configuration;
using SecretStore.Keys.Rsa;
using SecretStore.Secrets;
using SecretStore.Stores;

namespace SecretStore.Benchmarks.Support;

/// <summary>
/// Keyrings and seeded file stores, made once and kept in a cache folder: BenchmarkDotNet runs every case in
/// a fresh process, and making 1000 signed RSA-3072 records each time would dwarf the benchmark itself.
/// The cache holds throwaway benchmark keys only (SECRETSTORE_BENCH_CACHE overrides its place); its name carries a
/// version, bumped whenever the key file format changes (v2: private key files carry the trust anchor).
/// </summary>
public static class BenchData
{
    /// <summary>The key id of every benchmark keyring.</summary>
    public const string KeyId = "bench";

    private static readonly string Root = Environment.GetEnvironmentVariable("SECRETSTORE_BENCH_CACHE") is { Length: > 0 } configured
        ? configured
        : Path.Combine(Path.GetTempPath(), "secretstore-bench-cache-v2");

    /// <summary>The folder of an RSA keyring of <paramref name="bits"/> bits, created on first use.</summary>
    public static string KeyringFolder(int bits)
    {
        var folder = Path.Combine(Root, string.Create(CultureInfo.InvariantCulture, $"keyring-{bits}"));
        using var gate = Gate(folder);
        if (!File.Exists(Path.Combine(folder, RsaKeyring.IndexFileName)))
        {
            var temp = folder + "." + Guid.NewGuid().ToString("N");
            RsaKeyring.Create(temp, KeyId, bits).Dispose();
            Directory.Move(temp, folder);
        }

        return folder;
    }

    /// <summary>
    /// The PKCS#8 PEM of the private encryption key of the <paramref name="bits"/>-bit keyring (read from its
    /// keyring.json). The key file is a reader secret (docs/format.md); its one PKCS#8 key is decoded here from the
    /// documented layout: "SSRK", version, 32-byte anchor, count, then length-prefixed key id and PKCS#8.
    /// </summary>
    public static string PrivateKeyPem(int bits)
    {
        var folder = KeyringFolder(bits);
        using var index = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(Path.Combine(folder, RsaKeyring.IndexFileName)));
        var file = index.RootElement.GetProperty("keys").GetProperty(KeyId).GetProperty("privateKey").GetString()!;
        var pem = System.Security.Cryptography.PemEncoding.Find(File.ReadAllText(Path.Combine(folder, file)));
        var body = Convert.FromBase64String(File.ReadAllText(Path.Combine(folder, file))[pem.Base64Data]);
        var offset = 4 + 1 + 32 + 4;
        offset += 4 + (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(body.AsSpan(offset));
        var length = (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(body.AsSpan(offset));
        using var rsa = System.Security.Cryptography.RSA.Create();
        rsa.ImportPkcs8PrivateKey(body.AsSpan(offset + 4, length), out _);
        return rsa.ExportPkcs8PrivateKeyPem();
    }

    /// <summary>Settings of a file store (RSA-3072 keyring) holding the first <paramref name="count"/> workload secrets.</summary>
    public static StoreSettings FileStore(int count) =>
        CachedFileStore(string.Create(CultureInfo.InvariantCulture, $"file-store-{count}"), settings => SeedAsync(settings, Workload.Secrets(count)).GetAwaiter().GetResult());

    /// <summary>
    /// A file store of the first <paramref name="count"/> workload secrets, each written <paramref name="writes"/> times,
    /// so its history holds <paramref name="writes"/> revisions per secret.
    /// </summary>
    public static StoreSettings FileStoreWithHistory(int count, int writes) =>
        CachedFileStore(string.Create(CultureInfo.InvariantCulture, $"file-store-{count}-writes-{writes}"), settings =>
        {
            for (var write = 0; write < writes; write++)
            {
                SeedAsync(settings, Workload.Secrets(count)).GetAwaiter().GetResult();
            }
        });

    /// <summary>
    /// The same secrets as a store written before history (no <c>"history"</c> array): the baseline of
    /// <c>HistoryStoreBenchmarks</c>.
    /// </summary>
    public static StoreSettings FileStoreWithoutHistory(int count) =>
        CachedFileStore(string.Create(CultureInfo.InvariantCulture, $"file-store-{count}-no-history"), settings =>
        {
            SeedAsync(settings, Workload.Secrets(count)).GetAwaiter().GetResult();
            var root = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(settings.FilePath!))!.AsObject();
            root.Remove("history");
            File.WriteAllText(settings.FilePath!, root.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) + "\n");
        });

    private static StoreSettings CachedFileStore(string name, Action<StoreSettings> seed)
    {
        var keyring = KeyringFolder(3072);
        var folder = Path.Combine(Root, name);
        var settings = new StoreSettings { FilePath = Path.Combine(folder, "secrets.json"), KeyringPath = keyring };
        using var gate = Gate(folder);
        if (!File.Exists(Path.Combine(folder, "complete")))
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }

            Directory.CreateDirectory(folder);
            seed(settings);
            File.WriteAllText(Path.Combine(folder, "complete"), "ok");
        }

        return settings;
    }

    /// <summary>Writes every value into the store the settings describe, through the engine.</summary>
    public static async Task SeedAsync(StoreSettings settings, IEnumerable<(string Name, string Value)> values)
    {
        using var store = SecretStoreFactory.Default.Open(settings);
        foreach (var (name, value) in values)
        {
            await store.SetAsync(new SecretId(Workload.Application, name), value);
        }
    }

    /// <summary>The ids of the first <paramref name="count"/> workload secrets.</summary>
    public static SecretId[] Ids(int count) =>
        [.. Enumerable.Range(0, count).Select(i => new SecretId(Workload.Application, Workload.SecretName(i)))];

    // Benchmark processes may start side by side; one lock file per cached item keeps them from racing.
    private static FileStream Gate(string folder)
    {
        Directory.CreateDirectory(Root);
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(10);
        while (true)
        {
            try
            {
                return new FileStream(folder + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(100);
            }
        }
    }
}
