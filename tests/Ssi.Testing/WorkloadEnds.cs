using Grpc.Core;
using Ssi.Agent.Contracts.V1;

namespace Ssi.Testing;

/// <summary>Watches one agent's process events from now on and collects the ends of workloads.</summary>
public sealed class WorkloadEnds : IDisposable
{
    private readonly CancellationTokenSource _stop = new(TimeSpan.FromMinutes(2));
    private readonly AsyncServerStreamingCall<ProcessEvent> _call;
    private readonly List<ProcessEvent> _ends = [];
    private readonly Task _reader;

    public WorkloadEnds(Agent.Contracts.V1.Process.ProcessClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        _call = client.WatchProcesses(new WatchProcessesRequest(), cancellationToken: _stop.Token);
        _reader = Task.Run(ReadAsync);
    }

    /// <summary>The end of the workload whose root is <paramref name="cpid"/> (30 s at most).</summary>
    public async Task<ProcessEvent> OfAsync(long cpid)
    {
        for (var i = 0; i < 600; i++)
        {
            lock (_ends)
            {
                if (_ends.FirstOrDefault(e => e.ClusterPid == cpid) is { } end)
                {
                    return end;
                }
            }

            if (_reader.IsFaulted)
            {
                await _reader;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"no end of workload {cpid} was reported");
    }

    public void Dispose()
    {
        _stop.Cancel();
        _call.Dispose();
        _stop.Dispose();
    }

    private async Task ReadAsync()
    {
        try
        {
            while (await _call.ResponseStream.MoveNext(_stop.Token))
            {
                if (_call.ResponseStream.Current.Kind == ProcessEvent.Types.Kind.WorkloadEnded)
                {
                    lock (_ends)
                    {
                        _ends.Add(_call.ResponseStream.Current);
                    }
                }
            }
        }
        catch (Exception e) when (e is RpcException or OperationCanceledException)
        {
            // stopped
        }
    }
}
