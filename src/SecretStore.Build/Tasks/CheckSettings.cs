using Microsoft.Build.Framework;
using SecretStore.Configuration;
using SecretStore.Diagnostics;

namespace SecretStore.Build.Tasks;

/// <summary>
/// Refuses switches the targets read in conditions (<c>SecretStoreEnabled</c> and the like) that are not booleans,
/// with the engine's parser and message (<c>SSB0001</c>). The targets run it only when a switch is not one of
/// the accepted spellings, so an ordinary build never loads it.
/// </summary>
public sealed class CheckSettings : SecretStoreTask
{
    /// <summary>One item per switch: <c>Include</c> is the property name, metadata <c>Value</c> its text.</summary>
    public ITaskItem[] Booleans { get; set; } = [];

    /// <inheritdoc />
    protected override Task ExecuteAsync(CancellationToken cancellationToken)
    {
        var errors = new List<Diagnostic>();
        foreach (var item in Booleans)
        {
            var text = item.GetMetadata("Value");
            if (!SettingValue.TryParseBoolean(text, defaultValue: false, out _))
            {
                errors.Add(new Diagnostic(DiagnosticCodes.InvalidArgument, DiagnosticSeverity.Error, SettingValue.InvalidBooleanMessage(item.ItemSpec, text)));
            }
        }

        return errors.Count > 0 ? throw new SecretStoreException(errors) : Task.CompletedTask;
    }
}
