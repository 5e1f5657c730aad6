using Ssi.Agent.Contracts.V1;

namespace Ssi.Orchestration.Migration;

/// <summary>The tree lands in the target node's own namespaces (local mode, and processes outside pods).</summary>
public sealed class NodeLanding : ILandingAdapter
{
    public static readonly NodeLanding Instance = new();

    private NodeLanding()
    {
    }

    public Task<LandingTarget?> PrepareAsync(MigrationPlan plan, string targetNode, CancellationToken cancellationToken) => Task.FromResult<LandingTarget?>(null);

    public Task ReleaseAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
