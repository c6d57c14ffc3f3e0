using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using SecretStore.Testing.Aws.Kms;

namespace SecretStore.Aws.Tests.Kms;

/// <summary>
/// The real SDK client for a <see cref="KmsFixtureServer"/>, with two seams the wire cannot give: a Decrypt that throws
/// what the test says (a non-SDK exception, an OperationCanceledException the caller did not ask for), and Decrypt
/// replies whose plaintext stream the test keeps, to see what the key manager leaves in it.
/// </summary>
public sealed class InterceptingKmsClient(KmsFixtureServer server) : AmazonKeyManagementServiceClient(
    new BasicAWSCredentials("fixture", "fixture"),
    new AmazonKeyManagementServiceConfig
    {
        ServiceURL = server.ServiceUrl.ToString(),
        AuthenticationRegion = KmsFixtureServer.Region,
        RetryMode = RequestRetryMode.Standard,
        MaxErrorRetry = 2,
    })
{
    private readonly List<MemoryStream> _plaintextStreams = [];

    /// <summary>When set, every Decrypt throws this instead of calling the fixture.</summary>
    public Exception? DecryptFailure { get; set; }

    /// <summary>
    /// The plaintext streams of the Decrypt replies handed to the caller; each is a copy of the SDK's in a stream whose
    /// buffer may be read (<see cref="MemoryStream.TryGetBuffer"/>).
    /// </summary>
    public IReadOnlyList<MemoryStream> PlaintextStreams
    {
        get
        {
            lock (_plaintextStreams)
            {
                return [.. _plaintextStreams];
            }
        }
    }

    public override async Task<DecryptResponse> DecryptAsync(DecryptRequest request, CancellationToken cancellationToken = default)
    {
        if (DecryptFailure is { } failure)
        {
            throw failure;
        }

        var response = await base.DecryptAsync(request, cancellationToken);
        var bytes = response.Plaintext.ToArray();
        var visible = new MemoryStream(bytes, 0, bytes.Length, writable: true, publiclyVisible: true);
        lock (_plaintextStreams)
        {
            _plaintextStreams.Add(visible);
        }

        response.Plaintext = visible;
        return response;
    }
}
