using SecretStore.Build.Tests.Infrastructure;

namespace SecretStore.Build.Tests;

/// <summary>
/// One real publish of samples/WebApp (Release, so web.Release.config is applied) with a binary log, then a
/// second publish into the same folder. The private key comes from an environment variable, as on CI, so
/// the scans also cover key material. Shared by the assertions in <see cref="WebAppPublishTests"/>.
/// </summary>
public sealed class WebAppPublish(PackageFeed feed) : IAsyncLifetime
{
    public const string PrivateKeyVariable = "SECRETSTORE_TEST_PRIVATE_KEY";

    public TestSecret ConnectionString { get; } = TestSecret.Create("WebApp", "ConnectionStrings.Default", "CnryDb", ";Password=q\"b\\s<&>'");

    public TestSecret ApiToken { get; } = TestSecret.Create("WebApp", "Api.Token", "CnryApi");

    public TestSecret PaymentsKey { get; } = TestSecret.Create("WebApp", "Payments.ApiKey", "CnryPay");

    public TestSecret SmtpPassword { get; } = TestSecret.Create("WebApp", "Smtp.Password", "CnrySmtp", "<&\"'>");

    public IReadOnlyList<TestSecret> Secrets => [ConnectionString, ApiToken, PaymentsKey, SmtpPassword];

    public SampleProject Project { get; private set; } = null!;

    public string PublishDirectory => Path.Combine(Project.WorkDirectory, "publish");

    public string LogDirectory => Path.Combine(Project.WorkDirectory, "logs");

    public CommandResult FirstPublish { get; private set; } = null!;

    public CommandResult SecondPublish { get; private set; } = null!;

    /// <summary>Every file of the publish folder after the first publish (relative path to bytes).</summary>
    public IReadOnlyDictionary<string, byte[]> FirstOutput { get; private set; } = null!;

    public string PrivateKeyPem { get; private set; } = string.Empty;

    public string Binlog => Path.Combine(LogDirectory, "publish.binlog");

    public string ReplayedLog { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        Project = SampleProject.Create(feed, "WebApp");
        var store = await TestStore.CreateAsync(Path.Combine(Project.WorkDirectory, "store"), Secrets.Select(s => (s.Application, s.Name, s.Value)));

        // Move the private encryption key out of the keyring into an environment variable.
        var privateKeyFile = Directory.EnumerateFiles(Path.Combine(store.KeyringDirectory, "keys"), "*.private.pem").Single();
        PrivateKeyPem = await File.ReadAllTextAsync(privateKeyFile);
        File.Delete(privateKeyFile);

        Directory.CreateDirectory(LogDirectory);
        string[] properties = [.. store.PublishProperties, $"-p:SecretStorePrivateKeyVariable={PrivateKeyVariable}"];
        var environment = new Dictionary<string, string?> { [PrivateKeyVariable] = PrivateKeyPem };
        FirstPublish = await Project.PublishAsync(PublishDirectory, [.. properties, $"-bl:{Binlog}"], environment);
        FirstOutput = Snapshot(PublishDirectory);
        SecondPublish = await Project.PublishAsync(PublishDirectory, properties, environment);
        if (FirstPublish.Succeeded)
        {
            ReplayedLog = await LogReplay.ToDiagnosticTextAsync(Binlog);
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public SecretScanner Scanner() => new(Secrets, [PrivateKeyPem]);

    public static Dictionary<string, byte[]> Snapshot(string directory) =>
        Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(directory, f), File.ReadAllBytes, StringComparer.Ordinal);
}
