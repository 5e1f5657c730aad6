using System.Diagnostics;
using System.Globalization;
using Ssi.Api.V1Alpha1;
using Ssi.Orchestration.Agents;
using Ssi.Agent.Native;

namespace Ssi.Cli.Local;

/// <summary>
/// <c>ssi local up</c>: turns this machine into the nodes of an SsiCluster. Every resource is
/// journaled before it is made; a failure rolls everything back, a crash leaves a journal that
/// <c>ssi local down</c> finishes.
/// </summary>
internal sealed class LocalClusterProvisioner(string root, IProgress<LocalProgress> progress, TimeProvider time)
{
    public static readonly TimeSpan DefaultReadyTimeout = TimeSpan.FromSeconds(60);

    public async Task<LocalClusterState> UpAsync(V1Alpha1SsiCluster cluster, string? manifestPath, TimeSpan readyTimeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        await LocalPrerequisites.CheckAsync(cancellationToken).ConfigureAwait(false);
        var agentPath = AgentLauncher.FindAgent();
        var shimPath = AgentLauncher.FindShim();
        var layout = LocalClusterLayout.Build(cluster, root);

        Directory.CreateDirectory(root);
        using var clusterLock = LocalClusterLock.Acquire(root, layout.Cluster);
        if (LocalClusterState.TryLoad(layout.StateFile) is { } existing)
        {
            throw new LocalClusterException(existing.Phase == LocalClusterPhase.Up
                ? $"cluster {layout.Cluster} is already up; run `ssi local down -n {layout.Cluster}` first"
                : $"cluster {layout.Cluster} has leftovers of an earlier `up` ({existing.Phase}); run `ssi local down -n {layout.Cluster}` first");
        }

        if (Directory.Exists(layout.NamespaceDirectory) || await NamespacesExistAsync(layout, cancellationToken).ConfigureAwait(false))
        {
            throw new LocalClusterException($"cluster {layout.Cluster} has leftovers of an earlier run; run `ssi local down -n {layout.Cluster}` first");
        }

        var state = new LocalClusterState { Cluster = cluster, ManifestPath = manifestPath, CreatedAt = time.GetUtcNow() };
        Directory.CreateDirectory(layout.StateDirectory);
        state.Save(layout.StateFile);
        try
        {
            await CreateAsync(layout, state, agentPath, shimPath, readyTimeout, cancellationToken).ConfigureAwait(false);
            state.Phase = LocalClusterPhase.Up;
            state.ReadyAt = time.GetUtcNow();
            state.Save(layout.StateFile);
            return state;
        }
        catch (Exception failure)
        {
            state.Phase = LocalClusterPhase.Failed;
            state.Save(layout.StateFile);
            progress.Report(new LocalProgress($"rolling back: {failure.Message}", Failed: true));
            await LocalClusterTeardown.RemoveAsync(layout.Cluster, root, state, progress, CancellationToken.None).ConfigureAwait(false);
            LocalClusterLock.Delete(root, layout.Cluster);
            throw;
        }
    }

    /// <summary>
    /// <c>ssi local restart</c>: stops the agent of one node of a running cluster (SIGTERM, then
    /// SIGKILL after the grace period; <paramref name="kill"/> kills at once, as a crash would) and
    /// starts a new one in the same namespaces, then waits until it is healthy.
    /// </summary>
    public async Task<LocalProcessRecord> RestartAgentAsync(string cluster, string nodeName, bool kill, TimeSpan readyTimeout, CancellationToken cancellationToken)
    {
        using var clusterLock = LocalClusterLock.Acquire(root, cluster);
        var stateFile = Path.Combine(LocalClusterLayout.StateDirectoryFor(root, cluster), "state.json");
        var state = LocalClusterState.TryLoad(stateFile) is { Phase: LocalClusterPhase.Up } up
            ? up
            : throw new LocalClusterException($"cluster {cluster} is not up");
        var layout = LocalClusterLayout.Build(state.Cluster, root);
        var node = layout.Nodes.FirstOrDefault(n => n.Name == nodeName)
            ?? throw new LocalClusterException($"cluster {cluster} has no node {nodeName} (it has {string.Join(", ", layout.Nodes.Select(n => n.Name))})");
        var old = state.Processes.Single(p => p.Node == node.Name);
        if (kill)
        {
            if (ProcessIdentity.IsAlive(old))
            {
                ProcessTerminator.Kill(old.Pid);
            }

            await ProcessTerminator.TerminateAsync([old], TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        else
        {
            await ProcessTerminator.TerminateAsync([old], LocalClusterTeardown.AgentGrace).ConfigureAwait(false);
        }

        var record = AgentLauncher.Start(layout, node, AgentLauncher.FindAgent(), AgentLauncher.FindShim());
        state.Processes[state.Processes.IndexOf(old)] = record;
        state.Save(layout.StateFile);
        progress.Report(new LocalProgress($"node {node.Name}: agent pid {old.Pid} stopped, pid {record.Pid} started"));
        using var connector = LocalAgentConnector.ForCli(layout);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(readyTimeout);
        await WaitReadyAsync(connector, layout, state, node, readyTimeout, timeout.Token).ConfigureAwait(false);
        return record;
    }

    private async Task CreateAsync(LocalClusterLayout layout, LocalClusterState state, string agentPath, string shimPath, TimeSpan readyTimeout, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        Directory.CreateDirectory(layout.LogDirectory);
        Directory.CreateDirectory(layout.NamespaceDirectory);
        state.Mounts.Add(layout.NamespaceDirectory);
        state.Save(layout.StateFile);
        // Namespace files can only be bind-mounted on a private mount.
        await Mount("--bind", layout.NamespaceDirectory, layout.NamespaceDirectory).ConfigureAwait(false);
        await Mount("--make-private", layout.NamespaceDirectory).ConfigureAwait(false);
        Journal(state, layout, s => s.Mounts.Add(layout.HostNetworkNamespaceFile));
        await File.WriteAllTextAsync(layout.HostNetworkNamespaceFile, "", cancellationToken).ConfigureAwait(false);
        await Mount("--bind", "/proc/self/ns/net", layout.HostNetworkNamespaceFile).ConfigureAwait(false);

        LocalPki.Create(layout, time.GetUtcNow());
        progress.Report(new LocalProgress($"certificates: cluster CA, {layout.Nodes.Count} agent certificates, CLI certificate"));

        Journal(state, layout, s => s.NetworkNamespaces.Add(layout.SwitchNamespace));
        await Ip("netns", "add", layout.SwitchNamespace).ConfigureAwait(false);
        await Ip("-n", layout.SwitchNamespace, "link", "set", "lo", "up").ConfigureAwait(false);
        await Ip("-n", layout.SwitchNamespace, "link", "add", layout.BridgeName, "type", "bridge").ConfigureAwait(false);
        await Ip("-n", layout.SwitchNamespace, "link", "set", layout.BridgeName, "up").ConfigureAwait(false);

        foreach (var node in layout.Nodes)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await CreateNodeAsync(layout, state, node).ConfigureAwait(false);
            progress.Report(new LocalProgress($"node {node.Name}: network namespace {node.NetworkNamespace}, address {node.Address}/{layout.PrefixLength}, mount namespace"));
            FaultInjection.Crash($"local-up:after-node:{node.Name}");
        }

        CreateDirectory(state, layout, layout.Filesystem.BackingDirectory);
        CreateDirectory(state, layout, layout.Filesystem.MountPath);
        progress.Report(new LocalProgress($"shared filesystem: {layout.Filesystem.MountPath} on every node, data on {layout.Filesystem.HomeNode} in {layout.Filesystem.BackingDirectory}"));

        File.WriteAllText(layout.TopologyFile, layout.Topology().ToJson());
        foreach (var node in layout.Nodes)
        {
            var record = AgentLauncher.Start(layout, node, agentPath, shimPath);
            state.Processes.Add(record);
            state.Save(layout.StateFile);
        }

        progress.Report(new LocalProgress($"agents started ({string.Join(", ", state.Processes.Select(p => $"{p.Node}: pid {p.Pid}"))})"));
        FaultInjection.Crash("local-up:after-agents");

        using var connector = LocalAgentConnector.ForCli(layout);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(readyTimeout);
        await Task.WhenAll(layout.Nodes.Select(n => WaitReadyAsync(connector, layout, state, n, readyTimeout, timeout.Token))).ConfigureAwait(false);
        progress.Report(new LocalProgress(string.Create(CultureInfo.InvariantCulture, $"all {layout.Nodes.Count} agents healthy after {clock.Elapsed.TotalSeconds:F1} s")));
    }

    private static async Task CreateNodeAsync(LocalClusterLayout layout, LocalClusterState state, LocalNodeLayout node)
    {
        Journal(state, layout, s => s.NetworkNamespaces.Add(node.NetworkNamespace));
        await Ip("netns", "add", node.NetworkNamespace).ConfigureAwait(false);
        await Ip("-n", layout.SwitchNamespace, "link", "add", node.SwitchPort, "type", "veth", "peer", "name", "eth0", "netns", node.NetworkNamespace).ConfigureAwait(false);
        await Ip("-n", layout.SwitchNamespace, "link", "set", node.SwitchPort, "master", layout.BridgeName, "up").ConfigureAwait(false);
        await Ip("-n", node.NetworkNamespace, "link", "set", "lo", "up").ConfigureAwait(false);
        await Ip("-n", node.NetworkNamespace, "addr", "add", $"{node.Address}/{layout.PrefixLength}", "dev", "eth0").ConfigureAwait(false);
        await Ip("-n", node.NetworkNamespace, "link", "set", "eth0", "up").ConfigureAwait(false);

        Journal(state, layout, s => s.Mounts.Add(node.MountNamespaceFile));
        await File.WriteAllTextAsync(node.MountNamespaceFile, "").ConfigureAwait(false);
        await HostCommand.RunAsync("unshare", [$"--mount={node.MountNamespaceFile}", "--propagation", "private", "true"]).ConfigureAwait(false);
    }

    private async Task WaitReadyAsync(
        LocalAgentConnector connector, LocalClusterLayout layout, LocalClusterState state, LocalNodeLayout node, TimeSpan readyTimeout, CancellationToken cancellationToken)
    {
        var record = state.Processes.Single(p => p.Node == node.Name);
        var clock = Stopwatch.StartNew();
        NodeHealth? last = null;
        while (true)
        {
            if (!ProcessIdentity.IsAlive(record))
            {
                throw new LocalClusterException($"the agent of node {node.Name} exited during start-up; its log {node.LogFile} ends with:{Environment.NewLine}{LogTail(node.LogFile)}");
            }

            try
            {
                last = await NodeHealthProbe.ProbeAsync(connector, node.Name, TimeSpan.FromSeconds(2), cancellationToken).ConfigureAwait(false);
                if (last.Healthy && last.Info?.Filesystem is { Enabled: true, Mounted: false } fs)
                {
                    last = last with { Message = $"shared filesystem not mounted yet: {fs.Message}" };
                }
                else if (last.Healthy)
                {
                    progress.Report(new LocalProgress(string.Create(CultureInfo.InvariantCulture, $"node {node.Name}: agent healthy at {node.Address}:{layout.AgentPort} ({clock.Elapsed.TotalSeconds:F1} s)")));
                    return;
                }

                await Task.Delay(50, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                throw new LocalClusterException($"the agent of node {node.Name} was not healthy within {readyTimeout.TotalSeconds:F0} s ({last?.Message ?? "no answer"}); see {node.LogFile}");
            }
        }
    }

    private static string LogTail(string path)
    {
        try
        {
            return string.Join(Environment.NewLine, File.ReadLines(path).TakeLast(15));
        }
        catch (IOException e)
        {
            return $"(cannot read: {e.Message})";
        }
    }

    private static async Task<bool> NamespacesExistAsync(LocalClusterLayout layout, CancellationToken cancellationToken) =>
        (await LocalClusterTeardown.ListClusterNamespacesAsync(layout.Cluster, cancellationToken).ConfigureAwait(false)).Count > 0;

    /// <summary>Creates a directory and journals the topmost one that did not exist, for `down` to remove.</summary>
    private static void CreateDirectory(LocalClusterState state, LocalClusterLayout layout, string path)
    {
        if (!Directory.Exists(path))
        {
            var topmost = TopmostToCreate(path, Directory.Exists);
            Journal(state, layout, s => s.Directories.Add(topmost));
            Directory.CreateDirectory(path);
        }
    }

    /// <summary>
    /// The topmost missing directory on the way to <paramref name="path"/>, which `down` will remove
    /// with everything in it; never the data root or above (other clusters keep their data there
    /// even when this cluster's `up` was the one that made it).
    /// </summary>
    internal static string TopmostToCreate(string path, Func<string, bool> exists)
    {
        var topmost = path;
        for (var parent = Path.GetDirectoryName(path);
             parent is not null && !exists(parent) && !LocalClusterTeardown.IsSameOrAbove(parent, LocalClusterLayout.DefaultDataRoot);
             parent = Path.GetDirectoryName(parent))
        {
            topmost = parent;
        }

        return topmost;
    }

    private static void Journal(LocalClusterState state, LocalClusterLayout layout, Action<LocalClusterState> record)
    {
        record(state);
        state.Save(layout.StateFile);
    }

    private static Task Ip(params string[] arguments) => HostCommand.RunAsync("ip", arguments);

    private static Task Mount(params string[] arguments) => HostCommand.RunAsync("mount", arguments);
}
