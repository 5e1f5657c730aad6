using Ssi.Cli.Local;

namespace Ssi.Cli.Commands;

/// <summary>The machine-readable form of one cluster in <c>ssi local status -o json</c>.</summary>
internal sealed record StatusJson(string Cluster, string Phase, bool Healthy, IReadOnlyList<NodeStatusJson> Nodes)
{
    public static StatusJson From(LocalClusterReport report) => new(
        report.Layout.Cluster,
        report.State.Phase.ToString(),
        report.Healthy,
        report.Nodes.Select(n => NodeStatusJson.From(n, report.Layout.AgentPort)).ToList());
}
