using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Ssi.Agent.Hosting;
using Ssi.Agent.Native;
using Ssi.Agent.Native.Mounts;
using Ssi.Agent.Native.Processes;

namespace Ssi.Agent.Processes;

/// <summary>
/// Hears the reports of this node's shims (<see cref="AgentOptions.ShimReportSocket"/>) and hands
/// them to the process table. A report is believed only from a shim of this node, as the kernel
/// names the sender; anything else (a garbled datagram, another process writing to the socket) is
/// logged and dropped, and a report that never comes changes nothing but the detail of an end.
/// </summary>
internal sealed class ShimReportListener(ProcessTable table, IOptions<AgentOptions> options, ILogger<ShimReportListener> logger) : BackgroundService
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(500);
    private readonly Lock _receive = new();
    private readonly byte[] _buffer = new byte[ShimReport.MaxLength];
    private ShimReportReceiver? _receiver;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // Bound before the host serves, so that no workload starts before its shim can report.
        var path = options.Value.ShimReportSocket;
        if (!string.IsNullOrEmpty(path))
        {
            try
            {
                var directory = Path.GetDirectoryName(path)!;
                Directory.CreateDirectory(directory);
                if (options.Value.PrivateShimReportDirectory)
                {
                    PrivateTmpfs.Ensure(directory);
                }

                _receiver = ShimReportReceiver.Bind(path);
                ProcessLog.ShimReportsListening(logger, path);
            }
            catch (Exception e) when (e is NativeException or IOException or UnauthorizedAccessException or ArgumentException)
            {
                ProcessLog.ShimReportsUnavailable(logger, path, e.Message);
            }
        }

        return base.StartAsync(cancellationToken);
    }

    /// <summary>
    /// Handles every report already queued. Called when a workload's end is seen: a shim sends its
    /// last report before it ends, so after this the report, if it was sent, has been taken in.
    /// </summary>
    public void Drain()
    {
        lock (_receive)
        {
            if (_receiver is not { } receiver)
            {
                return;
            }

            while (TryReceive(receiver) is { } datagram)
            {
                Handle(datagram.Length, datagram.SenderPid);
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        CloseReceiver();
    }

    /// <summary>Called twice by the container (registered as itself and as a hosted service): closes once.</summary>
    public override void Dispose()
    {
        CloseReceiver();
        base.Dispose();
    }

    /// <summary>Closes the socket under the lock that every use of it holds, so no poll or receive meets a closed (or reused) descriptor.</summary>
    private void CloseReceiver()
    {
        lock (_receive)
        {
            _receiver?.Dispose();
            _receiver = null;
        }
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_receiver is not { } receiver)
        {
            return Task.CompletedTask;
        }

        var done = new TaskCompletionSource();
        var thread = new Thread(() =>
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                bool readable;
                try
                {
                    readable = receiver.WaitReadable((int)Tick.TotalMilliseconds);
                }
                catch (NativeException e)
                {
                    // Reports are an extra: the agent goes on without them rather than stop.
                    ProcessLog.ShimReportsFailed(logger, e.Message);
                    stoppingToken.WaitHandle.WaitOne(Tick);
                    continue;
                }

                if (readable)
                {
                    Drain();
                }
            }

            done.TrySetResult();
        }, maxStackSize: 256 * 1024)
        {
            IsBackground = true,
            Name = "shim-reports",
        };
        thread.Start();
        return done.Task;
    }

    private (int Length, int SenderPid)? TryReceive(ShimReportReceiver receiver)
    {
        try
        {
            return receiver.TryReceive(_buffer);
        }
        catch (NativeException e)
        {
            ProcessLog.ShimReportsFailed(logger, e.Message);
            return null;
        }
    }

    private void Handle(int length, int senderPid)
    {
        if (length > _buffer.Length || ShimReport.Decode(_buffer.AsSpan(0, length)) is not { } report)
        {
            ProcessLog.ShimReportGarbled(logger, senderPid, length);
            return;
        }

        if (senderPid <= 0 || table.FindWorkloadOfShim(senderPid) is not { } workload)
        {
            ProcessLog.ShimReportFromStranger(logger, senderPid, report.Kind.ToString());
            return;
        }

        ProcessLog.ShimReported(logger, workload.RootClusterPid?.Value ?? 0, report.Kind.ToString(), report.Pid, report.Status.Code, report.Status.Signal);
        table.OnShimReport(workload, report);
    }
}
