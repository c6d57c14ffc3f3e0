namespace SecretStore.Testing.Canaries;

/// <summary>One byte sequence the scanner looks for, and the form of which canary it stands for.</summary>
internal sealed record CanaryPattern(int Canary, string Form, byte[] Bytes);
