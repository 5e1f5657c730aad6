using Ssi.Orchestration.Agents;

namespace Ssi.Cli.Local;

/// <summary>Reads what local clusters exist and asks their agents how they are.</summary>
internal static class LocalClusterStatusReader
{
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Names of the local clusters that have state under <paramref name="root"/>.</summary>
    public static IReadOnlyList<string> ListClusters(string root) =>
        Directory.Exists(root)
            ? Directory.GetDirectories(root)
                .Where(d => File.Exists(Path.Combine(d, "state.json")))
                .Select(Path.GetFileName)
                .OfType<string>()
                .Order(StringComparer.Ordinal)
                .ToList()
            : [];

    public static async Task<LocalClusterReport> ReadAsync(string root, string cluster, CancellationToken cancellationToken)
    {
        var stateFile = Path.Combine(LocalClusterLayout.StateDirectoryFor(root, cluster), "state.json");
        var state = LocalClusterState.TryLoad(stateFile)
            ?? throw new LocalClusterException($"there is no local cluster named {cluster} (no {stateFile})");
        var layout = LocalClusterLayout.Build(state.Cluster, root);
        using var connector = LocalAgentConnector.ForCli(layout);
        var health = await NodeHealthProbe.ProbeAllAsync(connector, ProbeTimeout, cancellationToken).ConfigureAwait(false);
        var nodes = layout.Nodes.Select(n =>
        {
            var process = state.Processes.FirstOrDefault(p => p.Role == "agent" && p.Node == n.Name);
            var running = process is not null && ProcessIdentity.IsAlive(process);
            var observed = health.Single(h => h.Node == n.Name);
            return new LocalNodeReport(n, process?.Pid, running, observed);
        }).ToList();
        return new LocalClusterReport(layout, state, nodes);
    }
}
