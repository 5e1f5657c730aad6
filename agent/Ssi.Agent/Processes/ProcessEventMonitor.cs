using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Ssi.Agent.Hosting;
using Ssi.Agent.Native;
using Ssi.Agent.Native.Processes;

namespace Ssi.Agent.Processes;

/// <summary>
/// Feeds the process table with the kernel's fork/exec/exit events (proc connector), so that
/// starts and exits are noticed as they happen without polling every process, and the shims of
/// this node's containers as they start (<see cref="ContainerWorkloads"/>). Falls back to walking
/// the workloads' trees in /proc twice a second where the connector is unavailable.
/// </summary>
internal sealed class ProcessEventMonitor(ProcessTable table, ContainerWorkloads containers, IOptions<AgentOptions> options, ILogger<ProcessEventMonitor> logger) : BackgroundService
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(500);

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        ProcConnector? connector;
        try
        {
            connector = ProcConnector.Open(options.Value.InitialNetworkNamespace, Tick);
            ProcessLog.ConnectorOpened(logger);
            containers.DiscoverAll(); // the containers that started before the agent
        }
        catch (Exception e) when (e is NativeException or IOException)
        {
            ProcessLog.ConnectorUnavailable(logger, e.Message);
            return PollAsync(stoppingToken);
        }

        var done = new TaskCompletionSource();
        var thread = new Thread(() =>
        {
            try
            {
                Listen(connector, stoppingToken);
                done.TrySetResult();
            }
            catch (Exception e)
            {
                done.TrySetException(e);
            }
            finally
            {
                connector.Dispose();
            }
        })
        {
            IsBackground = true,
            Name = "proc-events",
        };
        thread.Start();
        return done.Task;
    }

    private void Listen(ProcConnector connector, CancellationToken stoppingToken)
    {
        var buffer = new byte[8192];
        while (!stoppingToken.IsCancellationRequested)
        {
            var length = connector.Receive(buffer);
            if (length < 0)
            {
                ProcessLog.EventsLost(logger);
                table.ResynchronizeAll();
                containers.DiscoverAll();
                continue;
            }

            if (length == 0 || ProcEvent.Parse(buffer.AsSpan(0, length)) is not { } e)
            {
                continue;
            }

            switch (e.Kind)
            {
                case ProcEventKind.Fork:
                    table.OnFork(e.ParentTgid, e.Pid, e.Tgid);
                    break;
                case ProcEventKind.Exec:
                    table.OnExec(e.Tgid);
                    containers.OnExec(e.Tgid);
                    break;
                case ProcEventKind.Exit:
                    table.OnExit(e.Pid, e.Tgid);
                    break;
            }
        }
    }

    private async Task PollAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Tick);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            table.ResynchronizeAll();
            containers.DiscoverAll();
        }
    }
}
