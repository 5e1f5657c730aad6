using Microsoft.Win32.SafeHandles;
using Ssi.Agent.Native;
using Ssi.Agent.Native.Processes;
using Ssi.Agent.Native.Terminals;

namespace Ssi.Agent.Processes;

/// <summary>A workload started by <see cref="WorkloadRunner"/>: its stdio (or terminal) and its end.</summary>
internal sealed class RunningWorkload : IDisposable
{
    private readonly int? _master;
    private Stream? _stdin;

    public RunningWorkload(Workload workload, bool tty, int? master, Stream stdin, Stream stdout, Stream? stderr, Task<ExitStatus> exited)
    {
        Workload = workload;
        Tty = tty;
        _master = master;
        _stdin = stdin;
        Stdout = stdout;
        Stderr = stderr;
        Exited = exited;
    }

    public Workload Workload { get; }

    public bool Tty { get; }

    public Stream Stdout { get; }

    public Stream? Stderr { get; }

    public Task<ExitStatus> Exited { get; }

    public static Stream ReadStream(int fd) => new FileStream(new SafeFileHandle(fd, ownsHandle: true), FileAccess.Read, 0, isAsync: false);

    public static Stream WriteStream(int fd) => new FileStream(new SafeFileHandle(fd, ownsHandle: true), FileAccess.Write, 0, isAsync: false);

    public async Task WriteStdinAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (_stdin is { } stdin)
        {
            await stdin.WriteAsync(data, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>End of input: closes the stdin pipe. A terminal has no end of input (the user types ^D).</summary>
    public void CloseStdin()
    {
        if (!Tty)
        {
            _stdin?.Dispose();
            _stdin = null;
        }
    }

    public void Resize(ushort rows, ushort columns)
    {
        if (_master is { } master)
        {
            Pty.SetWindowSize(master, rows, columns);
        }
    }

    /// <summary>Signals the workload's process group (led by its command), else its shim.</summary>
    public void Signal(int signal)
    {
        if (Workload.RootPid is { } root)
        {
            ProcessControl.SignalGroup(root, signal);
        }
        else if (Workload.ShimPid is { } shim)
        {
            ProcessSignals.Send(shim, signal);
        }
    }

    public void Dispose()
    {
        _stdin?.Dispose();
        Stdout.Dispose();
        Stderr?.Dispose();
    }
}
