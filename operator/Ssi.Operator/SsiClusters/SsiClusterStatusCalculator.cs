using Ssi.Api.V1Alpha1;

namespace Ssi.Operator.SsiClusters;

/// <summary>The whole status of an SsiCluster from what was observed: pure, the clock is an argument.</summary>
internal static class SsiClusterStatusCalculator
{
    public const string Ready = "Ready";
    public const string AgentsAvailable = "AgentsAvailable";
    public const string FilesystemReady = "FilesystemReady";

    public static SsiClusterStatus Compute(V1Alpha1SsiCluster cluster, SsiClusterObservations observations, DateTimeOffset now)
    {
        var previous = cluster.Status?.Conditions;
        var generation = cluster.Metadata.Generation;
        var nodes = observations.Nodes.OrderBy(n => n.Node, StringComparer.Ordinal).Select(n => new SsiNodeStatus
        {
            Name = n.Node,
            Healthy = n.Healthy,
            Endpoint = NullIfEmpty(n.Info?.Identity?.Endpoint),
            Message = NullIfEmpty(n.Message),
            AgentVersion = NullIfEmpty(n.Info?.AgentVersion),
            CriuVersion = NullIfEmpty(n.Info?.Capabilities?.Criu?.Version),
        }).ToList();
        var readyNodes = nodes.Count(n => n.Healthy);

        if (observations.SpecErrors.Count > 0)
        {
            var message = "The spec is invalid: " + string.Join("; ", observations.SpecErrors.Select(e => e.ToString())) + ".";
            return new SsiClusterStatus
            {
                ObservedGeneration = generation,
                ReadyNodes = 0,
                Nodes = null,
                Conditions =
                [
                    Conditions.Make(previous, Ready, false, "InvalidSpec", message, generation, now),
                    Conditions.Make(previous, AgentsAvailable, false, "InvalidSpec", "No agents run for an invalid spec.", generation, now),
                    Conditions.Make(previous, FilesystemReady, false, "InvalidSpec", "No filesystem is served for an invalid spec.", generation, now),
                ],
            };
        }

        var ds = observations.DaemonSet;
        var desired = ds?.Status?.DesiredNumberScheduled ?? 0;
        var ready = ds?.Status?.NumberReady ?? 0;
        var current = ds is not null && ds.Status?.ObservedGeneration == ds.Metadata.Generation;
        var (agentsOk, agentsReason, agentsMessage) = ds switch
        {
            null => (false, "DaemonSetMissing", "The agent DaemonSet does not exist yet."),
            _ when desired == 0 => (false, "NoNodes", "No node matches the cluster's nodes or nodeSelector."),
            _ when !current || ready < desired => (false, "AgentsNotReady", $"{ready} of {desired} agents are ready."),
            _ => (true, "AgentsReady", $"All {desired} agents are ready."),
        };

        var mode = cluster.Spec.Filesystem?.Mode ?? SsiFilesystemSpec.ModeCfs;
        var home = SsiClusterNames.Home(cluster.Spec);
        var healthy = observations.Nodes.Where(n => n.Healthy).ToList();
        var unmounted = healthy.Where(n => n.Info?.Filesystem is not { Mounted: true }).Select(n => n.Node).Order(StringComparer.Ordinal).ToList();
        var (fsOk, fsReason, fsMessage) = healthy.Count switch
        {
            0 => (false, "AgentsUnreachable", "No agent answered, so the filesystem cannot be checked."),
            _ when mode == SsiFilesystemSpec.ModeCfs && home.Length > 0 && healthy.All(n => n.Node != home) => (false, "HomeUnreachable", $"The home node {home} does not answer."),
            _ when unmounted.Count > 0 => (false, "NotMounted", $"Not mounted on {string.Join(", ", unmounted)}."),
            _ => (true, "Mounted", $"Mounted on {healthy.Count} nodes ({mode})."),
        };

        var unhealthy = observations.Nodes.Where(n => !n.Healthy).Select(n => n.Node).Order(StringComparer.Ordinal).ToList();
        var (readyOk, readyReason, readyMessage) = (agentsOk, fsOk, unhealthy.Count) switch
        {
            (false, _, _) => (false, agentsReason, agentsMessage),
            (_, false, _) => (false, fsReason, fsMessage),
            (_, _, > 0) => (false, "NodesUnhealthy", $"Unhealthy agents: {string.Join(", ", unhealthy)}."),
            _ => (true, "ClusterReady", $"{readyNodes} nodes form one system image."),
        };

        return new SsiClusterStatus
        {
            ObservedGeneration = generation,
            ReadyNodes = readyNodes,
            Nodes = nodes.Count > 0 ? nodes : null,
            Conditions =
            [
                Conditions.Make(previous, Ready, readyOk, readyReason, readyMessage, generation, now),
                Conditions.Make(previous, AgentsAvailable, agentsOk, agentsReason, agentsMessage, generation, now),
                Conditions.Make(previous, FilesystemReady, fsOk, fsReason, fsMessage, generation, now),
            ],
        };
    }

    private static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;
}
