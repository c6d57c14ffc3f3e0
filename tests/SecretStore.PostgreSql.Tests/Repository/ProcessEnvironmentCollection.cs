namespace SecretStore.PostgreSql.Tests.Repository;

/// <summary>
/// The classes that set PGPASSWORD for the whole test process (as a CI job does) and those that connect without a
/// password of their own: never at the same time, or the second would log in with the first's canary.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessEnvironmentCollection
{
    public const string Name = "process environment";
}
