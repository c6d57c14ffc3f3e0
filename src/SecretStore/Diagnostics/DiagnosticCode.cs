namespace SecretStore.Diagnostics;

/// <summary>A stable diagnostic code (<c>SSB####</c>) with a short title. Every face reports the same codes.</summary>
/// <param name="Id">The code, for example <c>SSB1001</c>.</param>
/// <param name="Title">A short, value-free description of the problem.</param>
public sealed record DiagnosticCode(string Id, string Title)
{
    /// <inheritdoc />
    public override string ToString() => Id;
}
