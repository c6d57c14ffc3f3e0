using Microsoft.Build.Framework;
using SecretStore.Diagnostics;
using SecretStore.Running;
using MSBuildTask = Microsoft.Build.Utilities.Task;

namespace SecretStore.Build.Tasks;

/// <summary>
/// The base of every SecretStore task. Its sealed <see cref="Execute"/> runs the asynchronous work, turns a
/// exception into coded errors by the engine's one <see cref="FailurePolicy"/>, and succeeds exactly when no error was logged. No message it logs carries a secret value.
/// </summary>
public abstract class SecretStoreTask : MSBuildTask, ICancelableTask
{
    private readonly CancellationTokenSource _cancellation = new();
    private string? _projectFile;

    /// <summary>Runs the task; true when no error was logged.</summary>
    public sealed override bool Execute()
    {
        try
        {
            // MSBuild calls tasks synchronously on a thread without a synchronization context, so waiting here
            // cannot deadlock; this is the one place where the async engine meets the sync task API.
            ExecuteAsync(_cancellation.Token).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (_cancellation.IsCancellationRequested)
        {
            Log.LogMessage(MessageImportance.High, "SecretStore: cancelled; no file was written.");
            return false;
        }
#pragma warning disable CA1031 // The task boundary: every failure must become a coded MSBuild error, not a crash.
        catch (Exception exception) when (exception is not OutOfMemoryException)
#pragma warning restore CA1031
        {
            // The engine's one failure policy (the same wording in every face).
            Log.LogDiagnostics(FailurePolicy.Describe(exception), ProjectFile);
            if (exception is not SecretStoreException)
            {
                // The stack trace names methods and files of ours, never data; it helps a bug report.
                Log.LogMessage(MessageImportance.Low, exception.GetType().FullName + Environment.NewLine + exception.StackTrace);
            }
        }

        return !Log.HasLoggedErrors;
    }

    /// <summary>
    /// The project being built (<c>$(MSBuildProjectFullPath)</c>), named by diagnostics that concern no
    /// particular file. Without it they name the file that calls the task, which is the package's targets file.
    /// </summary>
    public string? ProjectFile
    {
        get => string.IsNullOrWhiteSpace(_projectFile) ? BuildEngine?.ProjectFileOfTaskNode : _projectFile;
        set => _projectFile = value;
    }

    /// <summary>Asks the running task to stop (Ctrl+C in <c>dotnet publish</c>).</summary>
    public void Cancel() => _cancellation.Cancel();

    /// <summary>The task's work. Throw <see cref="SecretStoreException"/> for anything the user can fix.</summary>
    protected abstract Task ExecuteAsync(CancellationToken cancellationToken);
}
