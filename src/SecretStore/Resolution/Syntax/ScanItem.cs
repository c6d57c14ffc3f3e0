using SecretStore.Diagnostics;

namespace SecretStore.Resolution.Syntax;

/// <summary>What the scanner found at one offset: a placeholder, a <c>##{</c> escape, or a syntax error.</summary>
internal abstract record ScanItem(int Start, int Length);

/// <summary>A well-formed placeholder.</summary>
internal sealed record PlaceholderItem(Placeholder Placeholder) : ScanItem(Placeholder.Start, Placeholder.Length);

/// <summary><c>##{secret:</c>: the first <c>#</c> is dropped and the rest is literal text.</summary>
internal sealed record EscapeItem(int Start) : ScanItem(Start, 1);

/// <summary>A malformed placeholder; it is an error unless it sits where placeholders are not substituted (a comment).</summary>
internal sealed record SyntaxErrorItem(int Start, int Length, DiagnosticCode Code, string Message) : ScanItem(Start, Length);
