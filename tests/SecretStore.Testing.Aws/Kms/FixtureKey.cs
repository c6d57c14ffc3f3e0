namespace SecretStore.Testing.Aws.Kms;

/// <summary>A key held by <see cref="KmsFixtureServer"/>, with each form of id KMS accepts.</summary>
/// <param name="KeyId">The key UUID.</param>
/// <param name="Arn">The key ARN (what KMS answers with).</param>
/// <param name="AliasName">The alias (<c>alias/name</c>), if one was made.</param>
/// <param name="AliasArn">The alias ARN, if an alias was made.</param>
public sealed record FixtureKey(string KeyId, string Arn, string? AliasName, string? AliasArn);
