namespace SecretStore.Cli.Hosting;

/// <summary>
/// A one-line counter on stderr, shown only when stderr is a terminal; redirected output gets nothing extra.
/// Names a count, never a secret or value.
/// </summary>
internal sealed class TerminalProgress(CliConsole console, string label, int total) : IProgress<int>, IDisposable
{
    private readonly bool _enabled = !console.IsErrorRedirected && total > 1;
    private bool _shown;

    public void Report(int value)
    {
        if (_enabled)
        {
            console.Error.Write($"\r{label} {value}/{total}");
            _shown = true;
        }
    }

    public void Dispose()
    {
        if (_shown)
        {
            // Clear the line so the next diagnostic starts clean.
            console.Error.Write("\r" + new string(' ', label.Length + 24) + "\r");
        }
    }
}
