using System.Net.Sockets;
using System.Text;
using Ssi.Agent.Contracts.V1;
using Ssi.Agent.Processes;
using Ssi.Testing;

namespace Ssi.Agent.Tests.Processes;

/// <summary>The shims' reports to their agent, for real: the NativeAOT shim, the agent's socket, the kernel's word on the sender.</summary>
public sealed class ShimReportTests
{
    [Fact]
    public async Task The_shim_reports_the_command_s_exit_status_and_the_orphans_it_reaped()
    {
        var (agent, client) = await StartAsync();
        await using var _ = agent;
        using var watch = new WorkloadEnds(client);

        // The inner sh exits at once: its sleep is orphaned to the shim, which reaps it and says so.
        var result = await RunResult.RunAsync(client, ["sh", "-c", "sh -c 'sleep 0.2 &'; sleep 1; exit 3"]);
        var end = await watch.OfAsync(result.ClusterPid);

        Assert.Equal(3, result.ExitCode);
        Assert.Equal(3, end.ExitCode);
        Assert.True(end.ReportedByShim);
        Assert.Equal(1, end.OrphansReaped);
        Assert.Equal("node1", end.Node);
    }

    [Fact]
    public async Task A_command_killed_by_a_signal_ends_with_that_signal_as_its_shim_saw_it()
    {
        var (agent, client) = await StartAsync();
        await using var _ = agent;
        using var watch = new WorkloadEnds(client);

        // The shim itself exits normally (137): only its report can tell the signal.
        var result = await RunResult.RunAsync(client, ["sleep", "30"], whileRunning: async root =>
        {
            await WaitUntilListedAsync(client, root);
            await client.SignalProcessAsync(new SignalProcessRequest { ClusterPid = root, Signal = 9 });
        });
        var end = await watch.OfAsync(result.ClusterPid);

        Assert.Equal(137, result.ExitCode);
        Assert.Equal(9, result.Signal);
        Assert.Equal(9, end.Signal);
        Assert.True(end.ReportedByShim);
    }

    [Fact]
    public async Task The_agent_drops_garbled_and_forged_reports_and_keeps_serving()
    {
        var (agent, client) = await StartAsync();
        await using var _ = agent;
        using var watch = new WorkloadEnds(client);
        var socketPath = Path.Combine(agent.Directory, "shim.sock");

        // From a stranger (this test process): noise, and a well-formed report that is not a shim's.
        using (var stranger = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified))
        {
            var endpoint = new UnixDomainSocketEndPoint(socketPath);
            foreach (var datagram in new[] { [0xff, 0x00, 0x13], Encoding.ASCII.GetBytes("ssi-shim/1 exited"), Encoding.ASCII.GetBytes(new string('x', 4000)), Encoding.ASCII.GetBytes("ssi-shim/1 exited 2 99 0") })
            {
                await stranger.SendToAsync(datagram, SocketFlags.None, endpoint);
            }
        }

        // From inside a workload: its command forges its own end; the agent believes only the shim.
        var forger = $"import socket; s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); [s.sendto(r, '{socketPath}') for r in (b'ssi-shim/1 reaped 3 0 0', b'ssi-shim/1 exited 2 99 0')]";
        var forged = await RunResult.RunAsync(client, ["sh", "-c", $"python3 -c \"{forger}\" && exit 4"]);
        var after = await RunResult.RunAsync(client, ["sh", "-c", "echo still-serving"]);

        Assert.Equal(4, forged.ExitCode);
        var end = await watch.OfAsync(forged.ClusterPid);
        Assert.Equal(4, end.ExitCode);
        Assert.True(end.ReportedByShim);
        Assert.Equal(0, end.OrphansReaped);
        Assert.Equal("still-serving\n", after.Stdout);
        Assert.Equal(0, after.ExitCode);
    }

    [Fact]
    public async Task A_shim_that_never_reports_its_end_leaves_the_end_to_the_kernel()
    {
        var (agent, client) = await StartAsync();
        await using var _ = agent;
        using var watch = new WorkloadEnds(client);

        // SIGKILL to the shim: no last report; the end is the launcher's word (unshare(1) says 1).
        var result = await RunResult.RunAsync(client, ["sleep", "30"], whileRunning: async root =>
        {
            var process = await WaitUntilListedAsync(client, root);
            Assert.Equal(0, Native.ProcessSignals.Send(ProcStat.Read(process.HostPid)!.ParentPid, 9));
        });
        var end = await watch.OfAsync(result.ClusterPid);

        Assert.NotEqual(0, result.ExitCode);
        Assert.False(end.ReportedByShim);
        Assert.Equal(result.ExitCode, end.ExitCode);
        Assert.Equal("still-serving\n", (await RunResult.RunAsync(client, ["echo", "still-serving"])).Stdout);
    }

    [Fact]
    public async Task Without_an_agent_listening_the_shim_runs_its_command_all_the_same()
    {
        Prerequisites.RequireRoot();
        var shim = RepositoryPaths.Shim;
        var nowhere = Path.Combine(Path.GetTempPath(), $"no-agent-{Guid.NewGuid():N}.sock");

        var result = await Task.Run(() =>
        {
            var pid = Native.Spawn.Spawner.Start(new Native.Spawn.SpawnOptions([shim, "--report", nowhere, "--", "sh", "-c", "exit 6"]));
            return Native.Processes.ChildProcess.Wait(pid);
        });

        Assert.Equal(6, result!.Value.Status.Code);
    }

    private static Task<(InProcessAgent Agent, Contracts.V1.Process.ProcessClient Client)> StartAsync()
    {
        Prerequisites.RequireCommand("python3", "python3");
        return ProcessAgent.StartAsync();
    }

    private static async Task<ProcessInfo> WaitUntilListedAsync(Contracts.V1.Process.ProcessClient client, long cpid) =>
        (await ProcessAgent.WaitForAsync(client, l => l.Processes.Any(p => p.ClusterPid == cpid))).Processes.FirstOrDefault(p => p.ClusterPid == cpid)
        ?? throw new TimeoutException($"{cpid} was never listed");
}
