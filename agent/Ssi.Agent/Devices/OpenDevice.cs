namespace Ssi.Agent.Devices;

/// <summary>A device opened here for a process of another node: the descriptor (always non-blocking) and who asked.</summary>
internal sealed class OpenDevice(ulong handle, int fd, DeviceExport export, string node, uint pid, string command)
{
    public ulong Handle { get; } = handle;

    public int Fd { get; } = fd;

    public DeviceExport Export { get; } = export;

    public string Node { get; } = node;

    public uint Pid { get; } = pid;

    public string Command { get; } = command;

    /// <summary>The poll notification armed for this handle, if any (one per handle, as the kernel keeps one poll handle per file).</summary>
    public CancellationTokenSource? PollWatch => PollWatchField;

#pragma warning disable SA1401, CA1051 // swapped with Interlocked
    public CancellationTokenSource? PollWatchField;
#pragma warning restore SA1401, CA1051
}
