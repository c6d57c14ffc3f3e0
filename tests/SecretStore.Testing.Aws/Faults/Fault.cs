namespace SecretStore.Testing.Aws.Faults;

/// <summary>What the <see cref="FaultProxy"/> does with one request.</summary>
public enum FaultKind
{
    /// <summary>Forward the request and return the upstream response.</summary>
    None,

    /// <summary>Close the client connection without forwarding or answering.</summary>
    DropConnection,

    /// <summary>Hold the request for <see cref="Fault.Delay"/> (past the client's timeout), then close the connection.</summary>
    Stall,

    /// <summary>Answer 500 with the service's internal-error body, without forwarding.</summary>
    InternalError,

    /// <summary>Answer 503 ServiceUnavailable, without forwarding.</summary>
    ServiceUnavailable,

    /// <summary>Answer 400 with the service's throttling error, without forwarding.</summary>
    Throttle,

    /// <summary>Forward the request (the upstream applies it), then close the client connection: the response is lost.</summary>
    ForwardThenDrop,

    /// <summary>Forward the request (the upstream applies it), then stall past the client's timeout: the response is lost.</summary>
    ForwardThenStall,
}

/// <summary>
/// A fault for the next matching requests.
/// </summary>
/// <param name="Kind">What to do.</param>
/// <param name="Operation">Only requests whose <c>X-Amz-Target</c> ends with <c>.Operation</c> (for example <c>PutItem</c>, <c>Decrypt</c>); null for any.</param>
/// <param name="Count">How many matching requests it applies to.</param>
/// <param name="Delay">How long a stall lasts.</param>
public sealed record Fault(FaultKind Kind, string? Operation = null, int Count = 1, TimeSpan Delay = default);
