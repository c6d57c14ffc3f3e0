namespace SecretStore.Diagnostics;

/// <summary>A stable diagnostic code (<c>SSB####</c>) with a short title and the fix. Every face reports the same codes.</summary>
/// <param name="Id">The code, for example <c>SSB1001</c>.</param>
/// <param name="Title">A short, value-free description of the problem.</param>
/// <param name="Fix">
/// What to do about it, one value-free sentence starting in lower case (it follows <c>Fix: </c>); null only for an
/// informational code. A face shows it at the end of every error or warning whose message does not say its own,
/// more specific fix (<see cref="Diagnostic.Text"/>), so no message leaves the reader without one.
/// </param>
public sealed record DiagnosticCode(string Id, string Title, string? Fix = null)
{
    /// <inheritdoc />
    public override string ToString() => Id;
}
