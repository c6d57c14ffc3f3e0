using System.Text;
using SecretStore.Diagnostics;
using SecretStore.Diagnostics.Ci;

namespace SecretStore.Cli.Hosting;

/// <summary>
/// The process's standard streams: stdout carries results only (text through <see cref="Out"/>, exact bytes
/// through <see cref="OutStream"/>), stderr carries diagnostics in MSBuild format and, on a terminal, progress.
/// </summary>
internal sealed class CliConsole(Stream stdout, Stream stderr, Stream stdin, bool isInputRedirected, bool isErrorRedirected, bool isOutputRedirected = true)
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>Raw stdout, for <c>get</c>: exactly the value's bytes.</summary>
    public Stream OutStream { get; } = stdout;

    /// <summary>
    /// Raw text on stdout (UTF-8, LF line ends, flushed at once so order with raw writes is kept): only for text the
    /// tool writes on purpose (help, the CI mask commands). Results built from store content or paths go through
    /// <see cref="WriteRow"/>.
    /// </summary>
    public TextWriter Out { get; } = new StreamWriter(stdout, Utf8) { AutoFlush = true, NewLine = "\n" };

    /// <summary>Diagnostics and progress on stderr.</summary>
    public TextWriter Error { get; } = new StreamWriter(stderr, Utf8) { AutoFlush = true, NewLine = "\n" };

    /// <summary>Standard input (secret values for <c>set</c>).</summary>
    public Stream In { get; } = stdin;

    /// <summary>True when stdin is a pipe or file rather than a terminal.</summary>
    public bool IsInputRedirected { get; } = isInputRedirected;

    /// <summary>True when stdout is a pipe or file rather than a terminal (<c>export</c> to a terminal needs <c>--force</c>).</summary>
    public bool IsOutputRedirected { get; } = isOutputRedirected;

    /// <summary>True when stderr is not a terminal: then no progress is shown.</summary>
    public bool IsErrorRedirected { get; } = isErrorRedirected;

    public static CliConsole FromProcess() => new(
        Console.OpenStandardOutput(),
        Console.OpenStandardError(),
        Console.OpenStandardInput(),
        Console.IsInputRedirected,
        Console.IsErrorRedirected,
        Console.IsOutputRedirected);

    /// <summary>
    /// The CI system whose annotations <see cref="Report"/> adds (<see cref="CiSystem.None"/>: none); set once from the
    /// environment when the command line is parsed.
    /// </summary>
    public CiSystem Ci { get; set; }

    /// <summary>
    /// Writes one diagnostic to stderr as <c>file(line,col): error SSB####: message</c>, escaped (<see cref="LogText"/>),
    /// and in a CI run the system's annotation line after it (<see cref="CiAnnotation"/>): the plain line stays for
    /// whoever reads or greps the raw log, the annotation puts the error on the run's summary with a link to the file.
    /// </summary>
    public void Report(Diagnostic diagnostic)
    {
        Error.WriteLine(diagnostic.ToMSBuildFormat());
        if (CiAnnotation.Format(Ci, diagnostic) is { } annotation)
        {
            Error.WriteLine(annotation);
        }
    }

    /// <summary>
    /// Writes one result row to stdout: each field escaped with <see cref="LogText.Escape"/>, fields joined by TAB,
    /// so a name or key id from the store cannot add a line or a CI workflow command.
    /// </summary>
    public void WriteRow(params IEnumerable<string?> fields) => Out.WriteLine(LogText.Row(fields));

    /// <summary>Writes a warning with a code and no file.</summary>
    public void Warn(DiagnosticCode code, string message) => Report(new Diagnostic(code, DiagnosticSeverity.Warning, message));
}
