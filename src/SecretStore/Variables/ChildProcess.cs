using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace SecretStore.Variables;

/// <summary>
/// Starts the command of <c>run</c> with a given environment, its standard streams inherited, and returns its exit
/// code: the child's own, or 128 + the signal number when a signal ended it (what .NET reports on Unix, and what
/// shells report). Values travel in the environment only, never in the arguments, so the process list shows none
/// (a process's environment is readable by its own user and root only).
/// </summary>
/// <remarks>
/// While the child runs, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1 and SIGUSR2 sent to this process are passed on to it and this process
/// stays until the child exits (so a container stop or a CI cancel reaches the command). SIGINT (Ctrl+C) is passed on
/// only when asked to (<c>forwardInterrupt</c>): from a terminal the terminal sends it to the whole
/// foreground group, the child included, and a second one would make many programs quit without cleaning up. On
/// Windows, Ctrl+C reaches every process of the console; this process ignores it and waits for the child.
/// </remarks>
public static class ChildProcess
{
    /// <summary>The exit code of a command that was not found (as POSIX shells use it).</summary>
    public const int NotFoundExitCode = 127;

    /// <summary>The exit code of a command found but not executable.</summary>
    public const int NotExecutableExitCode = 126;

    /// <summary>Runs <paramref name="command"/>; throws <see cref="CommandStartException"/> when it cannot be started.</summary>
    /// <param name="command">A program name looked up on the child's PATH, or a path (relative to <paramref name="workingDirectory"/>).</param>
    /// <param name="arguments">Its arguments, passed as they are (no shell).</param>
    /// <param name="environment">The child's whole environment.</param>
    /// <param name="workingDirectory">The child's working directory.</param>
    /// <param name="forwardInterrupt">Pass SIGINT on to the child (true when this process's input is not a terminal).</param>
    /// <param name="started">Called once the child runs (tests and hosts use it to know the values are handed on).</param>
    public static async Task<int> RunAsync(
        string command,
        IReadOnlyList<string> arguments,
        IReadOnlyDictionary<string, string> environment,
        string workingDirectory,
        bool forwardInterrupt,
        Action<int>? started = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(command);
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(environment);
        var path = Find(command, environment.TryGetValue("PATH", out var searchPath) ? searchPath : null, workingDirectory);
        var start = new ProcessStartInfo(path) { UseShellExecute = false, WorkingDirectory = workingDirectory };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Clear();
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = new Process { StartInfo = start };
        var registrations = new List<PosixSignalRegistration>();
        try
        {
            try
            {
                process.Start();
            }
            catch (Win32Exception ex)
            {
                // E2BIG (7 on Linux and macOS): the kernel's limit on the environment, not the program (red team).
                throw new CommandStartException(
                    ex.NativeErrorCode == 7
                        ? $"The command '{Diagnostics.LogText.Escape(command)}' could not be started: its environment and arguments are larger than the system allows (E2BIG; Linux takes at most 128 KiB in one variable). Fix: hand a large value over in a file (secretstore export --output) or resolve it into a config file."
                        : $"The command '{Diagnostics.LogText.Escape(command)}' could not be started (error {ex.NativeErrorCode}). Fix: check that it is a program this user may execute.",
                    NotExecutableExitCode);
            }

            started?.Invoke(process.Id);
            registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
            {
                context.Cancel = true;
                if (forwardInterrupt)
                {
                    Forward(process, 2);
                }
            }));
            if (!OperatingSystem.IsWindows())
            {
                registrations.Add(Register(PosixSignal.SIGTERM, process, 15));
                registrations.Add(Register(PosixSignal.SIGHUP, process, 1));
                registrations.Add(Register(PosixSignal.SIGQUIT, process, 3));

                // SIGUSR1 and SIGUSR2 end a process by default, which would leave the child running with the secrets
                // (red team); raw numbers, as PosixSignal has no names for them.
                var (usr1, usr2) = OperatingSystem.IsLinux() ? (10, 12) : (30, 31);
                registrations.Add(Register((PosixSignal)usr1, process, usr1));
                registrations.Add(Register((PosixSignal)usr2, process, usr2));
            }

            await process.WaitForExitAsync().ConfigureAwait(false);
            return process.ExitCode;
        }
        finally
        {
            foreach (var registration in registrations)
            {
                registration.Dispose();
            }
        }
    }

    /// <summary>
    /// The program <paramref name="command"/> names: a path as it is, otherwise the first match on
    /// <paramref name="searchPath"/> (the child's PATH; on Windows with each PATHEXT extension). Throws
    /// <see cref="CommandStartException"/> with 127 when there is none, 126 when it is a folder or not executable.
    /// </summary>
    public static string Find(string command, string? searchPath, string workingDirectory)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (string.IsNullOrWhiteSpace(command))
        {
            throw new CommandStartException("The command is empty (an unset variable after '--'?). Fix: name a program after '--'.", NotFoundExitCode);
        }

        var shown = Diagnostics.LogText.Escape(command);
        if (command.Contains('/', StringComparison.Ordinal) || (OperatingSystem.IsWindows() && command.Contains('\\', StringComparison.Ordinal)))
        {
            var full = Path.GetFullPath(command, workingDirectory);
            return Directory.Exists(full) || (File.Exists(full) && !IsExecutable(full))
                ? throw new CommandStartException($"The command '{shown}' is a folder or a file without execute permission. Fix: give a program (chmod +x for a script).", NotExecutableExitCode)
                : File.Exists(full)
                    ? full
                    : throw new CommandStartException($"The command '{shown}' was not found (no such file). Fix: correct the path.", NotFoundExitCode);
        }

        var extensions = OperatingSystem.IsWindows()
            ? [string.Empty, .. (Environment.GetEnvironmentVariable("PATHEXT") ?? ".COM;.EXE;.BAT;.CMD").Split(';', StringSplitOptions.RemoveEmptyEntries)]
            : new[] { string.Empty };
        string? notExecutable = null;
        foreach (var folder in (searchPath ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (var extension in extensions)
            {
                var candidate = Path.GetFullPath(Path.Combine(folder, command + extension), workingDirectory);
                if (!File.Exists(candidate))
                {
                    continue;
                }

                if (IsExecutable(candidate))
                {
                    return candidate;
                }

                notExecutable ??= candidate;
            }
        }

        return notExecutable is not null
            ? throw new CommandStartException($"The command '{shown}' was found on PATH but is not executable. Fix: chmod +x it, or give another program.", NotExecutableExitCode)
            : throw new CommandStartException($"The command '{shown}' was not found on the PATH the command would get. Fix: correct the name, give its path, or add its folder to PATH (with --pristine, PATH is kept).", NotFoundExitCode);
    }

    private static bool IsExecutable(string path) =>
        OperatingSystem.IsWindows() || (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;

    private static PosixSignalRegistration Register(PosixSignal signal, Process process, int number) =>
        PosixSignalRegistration.Create(signal, context =>
        {
            context.Cancel = true;
            Forward(process, number);
        });

    private static void Forward(Process process, int signal)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        try
        {
            if (!process.HasExited)
            {
                _ = Kill(process.Id, signal);
            }
        }
        catch (InvalidOperationException)
        {
            // The child is gone already: nothing to forward.
        }
    }

#pragma warning disable SYSLIB1054 // DllImport keeps the engine free of unsafe code (as LinuxFiles); both arguments are blittable.
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
#pragma warning restore SYSLIB1054
}
