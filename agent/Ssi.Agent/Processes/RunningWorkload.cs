using System.Threading.Channels;
using Microsoft.Win32.SafeHandles;
using Ssi.Agent.Native;
using Ssi.Agent.Native.Processes;
using Ssi.Agent.Native.Terminals;

namespace Ssi.Agent.Processes;

/// <summary>A workload started by <see cref="WorkloadRunner"/>: its stdio (or terminal) and its end.</summary>
internal sealed class RunningWorkload : IDisposable
{
    private readonly int? _master;
    private readonly Channel<ReadOnlyMemory<byte>?> _input = Channel.CreateBounded<ReadOnlyMemory<byte>?>(64);
    private readonly Task _inputWriter;

    public RunningWorkload(Workload workload, bool tty, int? master, Stream stdin, Stream stdout, Stream? stderr, Task<ExitStatus> exited)
    {
        Workload = workload;
        Tty = tty;
        _master = master;
        _inputWriter = Task.Factory.StartNew(() => WriteInput(stdin, tty), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        Stdout = stdout;
        Stderr = stderr;
        Exited = exited;
    }

    public Workload Workload { get; }

    /// <summary>Detached workloads: where their output goes.</summary>
    public string? LogPath { get; init; }

    public bool Tty { get; }

    public Stream Stdout { get; }

    public Stream? Stderr { get; }

    public Task<ExitStatus> Exited { get; }

    public static Stream ReadStream(int fd) => new FileStream(new SafeFileHandle(fd, ownsHandle: true), FileAccess.Read, 0, isAsync: false);

    public static Stream WriteStream(int fd) => new FileStream(new SafeFileHandle(fd, ownsHandle: true), FileAccess.Write, 0, isAsync: false);

    /// <summary>Queues input for the workload; a thread of its own writes it, since a full pipe blocks.</summary>
    public ValueTask WriteStdinAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
        _input.Writer.WriteAsync(data.ToArray(), cancellationToken);

    /// <summary>End of input: closes the stdin pipe once queued input is written. A terminal has no end of input (the user types ^D).</summary>
    public void CloseStdin() => _input.Writer.TryWrite(null);

    private void WriteInput(Stream stdin, bool tty)
    {
        using (stdin)
        {
            try
            {
                while (_input.Reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
                {
                    while (_input.Reader.TryRead(out var data))
                    {
                        if (data is null)
                        {
                            if (!tty)
                            {
                                return; // end of input closes the pipe
                            }

                            continue;
                        }

                        stdin.Write(data.Value.Span);
                    }
                }
            }
            catch (IOException)
            {
                // The workload closed its input (EPIPE); further input is dropped.
            }
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
        _input.Writer.TryComplete();
        _inputWriter.Wait(TimeSpan.FromSeconds(1));
        Stdout.Dispose();
        Stderr?.Dispose();
    }
}
