using SecretStore.Aws;
using SecretStore.Configuration;
using SecretStore.Keys.Rsa;
using SecretStore.Secrets;
using SecretStore.Stores;

// Usage: DemoSeed <folder>. Creates <folder>/keyring (RSA keyring), <folder>/reader.key (its reader secret) and <folder>/secrets.json (file store)
// holding demo values for samples/WebApp and samples/WorkerApp. The values are throwaway demo data; they
// contain quotes, backslashes and markup characters to show that each file format gets them escaped.
if (args.Length != 1)
{
    await Console.Error.WriteLineAsync("usage: DemoSeed <folder>");
    return 2;
}

var folder = Path.GetFullPath(args[0]);
var keyring = Path.Combine(folder, "keyring");
var storeFile = Path.Combine(folder, "secrets.json");
RsaKeyring.Create(keyring, "demo", RsaKeyring.MinimumKeySizeInBits).Dispose();

(string Application, string Name, string Value)[] secrets =
[
    ("WebApp", "ConnectionStrings.Default", "Server=db.internal;Database=shop;User Id=web;Password=demo\"pa\\ss<&>"),
    ("WebApp", "Api.Token", "demo-api-token-4f1c"),
    ("WebApp", "Payments.ApiKey", "demo-payments-key-77aa"),
    ("WebApp", "Smtp.Password", "demo-smtp-<&\"'>-password"),
    ("WorkerApp", "Queue.Password", "demo-queue-\"&<>-password"),
    ("WorkerApp", "ConnectionStrings.Reporting", "Host=reports;Username=worker;Password=demo'reports"),
    ("WorkerApp", "Storage.AccessKey", "demo-storage-key-c0ffee"),
    ("WorkerApp", "Storage.SigningKey", "demo-signing-key-5e5e"),
];

using (var store = SecretStoreFactory.Default.Open(new StoreSettings { FilePath = storeFile, KeyringPath = keyring }))
{
    foreach (var (application, name, value) in secrets)
    {
        await store.SetAsync(new SecretId(application, name), value);
    }
}

// What CI gets instead of the private key files: the reader secret (private key + trust anchor), owner-only.
var readerKey = Path.Combine(folder, "reader.key");
using (var loaded = RsaKeyring.Load(keyring))
{
    var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
    if (!OperatingSystem.IsWindows())
    {
        options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    }

    using var writer = new StreamWriter(readerKey, System.Text.Encoding.ASCII, options);
    writer.Write(loaded.ExportReaderSecret());
}

Console.WriteLine($"keyring: {keyring}");
Console.WriteLine($"reader:  {readerKey} (the reader secret a CI variable would hold)");
Console.WriteLine($"store:   {storeFile} ({secrets.Length} secrets, encrypted)");
return 0;
