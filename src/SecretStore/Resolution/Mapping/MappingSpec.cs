using System.IO.Enumeration;
using SecretStore.Secrets;

namespace SecretStore.Resolution.Mapping;

/// <summary>A validated <see cref="SecretMapping"/>: the secret id parsed, the file selector ready.</summary>
internal sealed class MappingSpec(SecretMapping mapping, SecretReference reference)
{
    public SecretMapping Mapping { get; } = mapping;

    public SecretId Id { get; } = reference.Id;

    /// <summary>The revision the mapping pins (<c>App/Name@N</c>), or null.</summary>
    public long? Revision { get; } = reference.Revision;

    /// <summary>The secret as the mapping names it, for messages.</summary>
    public SecretReference Reference => new(Id, Revision);

    /// <summary>How many files the mapping was applied to (a mapping for every file must hit at least one).</summary>
    public int Hits { get; set; }

    /// <summary>True when the mapping selects <paramref name="fullPath"/>.</summary>
    public bool AppliesTo(string fullPath)
    {
        var selector = Mapping.File;
        if (selector is null)
        {
            return true;
        }

        if (selector.Contains('/') || selector.Contains('\\'))
        {
            var full = Path.GetFullPath(selector);
            return FileSystemName.MatchesSimpleExpression(full, fullPath, ignoreCase: OperatingSystem.IsWindows());
        }

        return FileSystemName.MatchesSimpleExpression(selector, Path.GetFileName(fullPath), ignoreCase: true);
    }
}
