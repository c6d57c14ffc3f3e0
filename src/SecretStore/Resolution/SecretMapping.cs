namespace SecretStore.Resolution;

/// <summary>
/// Structured mode: put a secret at a configuration path without a placeholder in the file. In JSON the string
/// value at the path is replaced; in web.config/app.config <c>ConnectionStrings:Name</c> targets
/// <c>connectionStrings/add[@name]/@connectionString</c> and any other key (optionally <c>AppSettings:Key</c>)
/// targets <c>appSettings/add[@key]/@value</c>.
/// </summary>
public sealed class SecretMapping
{
    /// <summary>The file or file-name pattern (<c>appsettings*.json</c>) it applies to; null: every JSON and XML file listed.</summary>
    public string? File { get; init; }

    /// <summary>The .NET configuration path, such as <c>ConnectionStrings:Default</c>.</summary>
    public required string ConfigurationPath { get; init; }

    /// <summary>The secret: <c>Name</c> (default application) or <c>Application/Name</c>.</summary>
    public required string Secret { get; init; }

    /// <summary>When true, a missing secret keeps the file's value and gives a warning.</summary>
    public bool Optional { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"{ConfigurationPath} <- {Secret}";
}
