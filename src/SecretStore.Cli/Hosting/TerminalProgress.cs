using System.Globalization;

namespace SecretStore.Cli.Hosting;

/// <summary>
/// A one-line progress bar on stderr (<c>Rewrapping [########------------] 12/30</c>), shown only when stderr is a
/// terminal and there is more than one item; redirected output (a CI log, a file) gets nothing extra. Names a count,
/// never a secret or value. Redrawn in place with a carriage return and cleared when done, so the diagnostics that
/// follow start on a clean line.
/// </summary>
internal sealed class TerminalProgress(CliConsole console, string label, int total) : IProgress<int>, IDisposable
{
    /// <summary>Characters of the bar between the brackets.</summary>
    public const int Width = 20;

    private readonly bool _enabled = !console.IsErrorRedirected && total > 1;
    private int _written;

    /// <summary>The line for <paramref name="value"/> of <paramref name="total"/> items (without the carriage return).</summary>
    public static string Line(string label, int value, int total)
    {
        var done = total <= 0 ? Width : (int)((long)Math.Clamp(value, 0, total) * Width / total);
        return string.Create(CultureInfo.InvariantCulture, $"{label} [{new string('#', done)}{new string('-', Width - done)}] {value}/{total}");
    }

    public void Report(int value)
    {
        if (_enabled)
        {
            var line = Line(label, value, total);
            console.Error.Write("\r" + line);
            _written = Math.Max(_written, line.Length);
        }
    }

    public void Dispose()
    {
        if (_written > 0)
        {
            console.Error.Write("\r" + new string(' ', _written) + "\r");
        }
    }
}
