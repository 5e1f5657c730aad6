namespace Ssi.Cli.Local;

/// <summary>A local cluster and what its agents said.</summary>
internal sealed record LocalClusterReport(LocalClusterLayout Layout, LocalClusterState State, IReadOnlyList<LocalNodeReport> Nodes)
{
    public bool Healthy => State.Phase == LocalClusterPhase.Up && Nodes.All(n => n.Health.Healthy);
}
