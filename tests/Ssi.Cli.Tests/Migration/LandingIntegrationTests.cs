using System.Globalization;
using Ssi.Agent.Contracts.V1;
using Ssi.Agent.Native;
using Ssi.Api.V1Alpha1;
using Ssi.Cli.Local;
using Ssi.Cli.Tests.Local;
using Ssi.Orchestration.Migration;
using Ssi.Testing;

namespace Ssi.Cli.Tests.Migration;

/// <summary>
/// Restoring into a landing placeholder with real agents and CRIU: a process started in fresh
/// network, IPC and UTS namespaces stands in for a landing pod's container, and the migrated tree
/// comes back in its namespaces (criu --join-ns) instead of the target node's.
/// </summary>
[Collection(LocalClusterCollection.Name)]
public sealed class LandingIntegrationTests(MigratingCluster cluster) : IClassFixture<MigratingCluster>
{
    /// <summary>
    /// With <paramref name="inPodCgroup"/> the placeholder also sits in a cgroup named as the kubelet
    /// names a pod's container, is found by that container id, and the tree lands in its cgroup.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_workload_moved_into_a_landing_placeholder_runs_in_its_network_ipc_and_uts_namespaces(bool inPodCgroup)
    {
        Prerequisites.RequireCommand("unshare", "util-linux");
        var marker = "mk" + Guid.NewGuid().ToString("N")[..10];
        var cpid = await cluster.StartWriterAsync(marker, "node1");
        using var placeholder = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("unshare", ["--net", "--ipc", "--uts", "sleep", "infinity"]))!;
        await WaitForOwnNamespacesAsync(placeholder.Id);
        var containerId = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()) + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        var podCgroup = $"/kubepods-{marker}/pod{Guid.NewGuid()}/{containerId}";
        const string Pids = "/sys/fs/cgroup/pids";
        if (inPodCgroup)
        {
            Assert.True(File.Exists(Path.Combine(Pids, "cgroup.procs")), $"missing prerequisite: the cgroup v1 pids hierarchy at {Pids}");
            Directory.CreateDirectory(Pids + podCgroup);
            File.WriteAllText(Path.Combine(Pids + podCgroup, "cgroup.procs"), placeholder.Id.ToString(CultureInfo.InvariantCulture));
        }

        var target = inPodCgroup ? new LandingTarget { ContainerId = containerId } : new LandingTarget { Pid = placeholder.Id };
        using var connector = cluster.Connector();
        var coordinator = new MigrationCoordinator(connector, new LocalStrandedProcesses(), TimeProvider.System, new Placeholder(target));
        try
        {
            var outcome = await coordinator.RunAsync(new MigrationRequest(cpid, "node2", ProcessMigrationSpec.ModeStopCopy, false, "landing-" + marker), new Quiet(), CancellationToken.None);

            Assert.True(outcome.Succeeded, outcome.Message);
            var copy = Assert.Single(await MigratingCluster.CopiesSettledAsync(marker));
            Assert.NotEqual('T', copy.State);
            foreach (var ns in new[] { "net", "ipc", "uts" })
            {
                Assert.True(Namespace(copy.Pid, ns) == Namespace(placeholder.Id, ns), $"{ns}: the copy's {Namespace(copy.Pid, ns)}, the placeholder's {Namespace(placeholder.Id, ns)}");
            }

            if (inPodCgroup)
            {
                var cgroups = File.ReadAllText($"/proc/{copy.Pid}/cgroup");
                Assert.Contains($":pids:{podCgroup}", cgroups, StringComparison.Ordinal);
            }

            ProcessSignals.Send(copy.Pid, ProcessSignals.SIGKILL);
        }
        finally
        {
            placeholder.Kill();
            await placeholder.WaitForExitAsync();
            foreach (var hierarchy in Directory.GetDirectories("/sys/fs/cgroup"))
            {
                RemoveCgroups(Path.Combine(hierarchy, $"kubepods-{marker}"));
            }
        }
    }

    /// <summary>
    /// The source side of a process in a pod: a workload in a network namespace of its own (here the
    /// placeholder's, where a first move landed it) moves on to node3's own namespaces. Its network
    /// namespace is left out of the dump, and the tree gets node3's instead of a rebuilt copy.
    /// </summary>
    [Fact]
    public async Task A_workload_in_its_own_network_namespace_moves_on_into_the_target_nodes()
    {
        var marker = "mk" + Guid.NewGuid().ToString("N")[..10];
        var cpid = await cluster.StartWriterAsync(marker, "node1");
        using var placeholder = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("unshare", ["--net", "--ipc", "--uts", "sleep", "infinity"]))!;
        await WaitForOwnNamespacesAsync(placeholder.Id);
        using var connector = cluster.Connector();
        try
        {
            var landed = await new MigrationCoordinator(connector, new LocalStrandedProcesses(), TimeProvider.System, new Placeholder(new LandingTarget { Pid = placeholder.Id }))
                .RunAsync(new MigrationRequest(cpid, "node2", ProcessMigrationSpec.ModeStopCopy, false, "pod-" + marker), new Quiet(), CancellationToken.None);
            Assert.True(landed.Succeeded, landed.Message);
            Assert.Equal(Namespace(placeholder.Id, "net"), Namespace(Assert.Single(await MigratingCluster.CopiesSettledAsync(marker)).Pid, "net"));

            var plan = await CliRun.RunAsync(["migrate", cpid.ToString(CultureInfo.InvariantCulture), "--to", "node3", "-c", cluster.Name, "--dry-run", "-o", "json"]);
            Assert.True(plan.ExitCode == 0, plan.ToString());
            var moved = await new MigrationCoordinator(connector, new LocalStrandedProcesses(), TimeProvider.System)
                .RunAsync(new MigrationRequest(cpid, "node3", ProcessMigrationSpec.ModeStopCopy, false, "on-" + marker), new Quiet(), CancellationToken.None);

            Assert.True(moved.Succeeded, moved.Message);
            var copy = Assert.Single(await MigratingCluster.CopiesSettledAsync(marker));
            Assert.NotEqual('T', copy.State);
            var node3 = $"net:[{NamespaceInode.Of($"/run/netns/ssi.{cluster.Name}.node3").ToString(CultureInfo.InvariantCulture)}]";
            Assert.Equal(node3, Namespace(copy.Pid, "net"));
            ProcessSignals.Send(copy.Pid, ProcessSignals.SIGKILL);
        }
        finally
        {
            placeholder.Kill();
            await placeholder.WaitForExitAsync();
        }
    }

    /// <summary>Kills what is left in a cgroup and those below it, then removes them, leaves first.</summary>
    private static void RemoveCgroups(string directory)
    {
        if (!Directory.Exists(directory))
        {
            return;
        }

        foreach (var child in Directory.GetDirectories(directory))
        {
            RemoveCgroups(child);
        }

        foreach (var pid in File.ReadAllLines(Path.Combine(directory, "cgroup.procs")))
        {
            ProcessSignals.Send(int.Parse(pid, CultureInfo.InvariantCulture), ProcessSignals.SIGKILL);
        }

        for (var i = 0; ; i++)
        {
            try
            {
                Directory.Delete(directory);
                return;
            }
            catch (IOException) when (i < 50)
            {
                Thread.Sleep(100); // its last processes are being reaped
            }
        }
    }

    private static string Namespace(int pid, string kind) => new FileInfo($"/proc/{pid}/ns/{kind}").LinkTarget ?? "?";

    /// <summary>unshare execs sleep once the namespaces are made: until then the pid still shares ours.</summary>
    private static async Task WaitForOwnNamespacesAsync(int pid)
    {
        for (var i = 0; i < 100 && Namespace(pid, "net") == Namespace(Environment.ProcessId, "net"); i++)
        {
            await Task.Delay(20);
        }

        Assert.NotEqual(Namespace(Environment.ProcessId, "net"), Namespace(pid, "net"));
    }

    private sealed class Placeholder(LandingTarget target) : ILandingAdapter
    {
        public Task<LandingTarget?> PrepareAsync(MigrationPlan plan, string targetNode, CancellationToken cancellationToken) =>
            Task.FromResult<LandingTarget?>(target);

        public Task ReleaseAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class Quiet : IMigrationObserver
    {
        public Task OnPhaseAsync(MigrationOutcome outcome, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
