using System.Diagnostics;
using Microsoft.Extensions.Options;
using Ssi.Agent.Hosting;
using Ssi.Agent.Processes;

namespace Ssi.Agent.Tests.Processes;

/// <summary>A workload found running (a container's shim, started by its runtime) joins the process table like one the agent started.</summary>
public sealed class ContainerAdoptionTests
{
    [Fact]
    public async Task The_command_under_an_adopted_shim_gets_the_workloads_cluster_PID_and_its_children_new_ones()
    {
        var table = new ProcessTable(Options.Create(new AgentOptions { Cluster = "c", Node = "n", NodeIndex = 2 }), TimeProvider.System);
        using var shim = Process.Start(new ProcessStartInfo("sh", ["-c", "sh -c 'sleep 60 & wait' & wait"]))!;
        try
        {
            for (var i = 0; i < 100 && Ssi.Agent.Native.Processes.ProcessTree.WithDescendants(shim.Id).Count < 3; i++)
            {
                await Task.Delay(20);
            }

            var workload = table.AdoptContainer(shim.Id)!;

            Assert.Same(workload, table.AdoptContainer(shim.Id));
            Assert.Equal(shim.Id, workload.ShimPid);
            var command = Assert.Single(Ssi.Agent.Native.Processes.ProcessTree.Children(shim.Id));
            Assert.Equal(command, workload.RootPid);
            Assert.Equal(workload.RootClusterPid, table.FindByHostPid(command)!.ClusterPid);
            Assert.Equal(2, table.Count);
            Assert.All(table.Snapshot(), p => Assert.Equal(3_000_000, p.ClusterPid!.Value.Value / 1_000_000 * 1_000_000));
            Assert.Null(table.FindByHostPid(shim.Id)!.ClusterPid); // the shim, as for workloads the agent starts
        }
        finally
        {
            foreach (var pid in Ssi.Agent.Native.Processes.ProcessTree.WithDescendants(shim.Id).Reverse())
            {
                Ssi.Agent.Native.ProcessSignals.Send(pid, Ssi.Agent.Native.ProcessSignals.SIGKILL);
            }

            await shim.WaitForExitAsync();
        }
    }
}
