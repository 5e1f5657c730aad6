using Ssi.Agent.Contracts.V1;

namespace Ssi.Orchestration.Migration;

/// <summary>
/// The tree lands in a container that already runs on the target node, named by its container id
/// (the target agent finds its first process in /proc/*/cgroup): local mode's stand-in for the
/// landing pod the operator makes (<c>ssi migrate --landing ID</c>). Nothing to make or undo.
/// </summary>
public sealed class ContainerLanding(string containerId) : ILandingAdapter
{
    public Task<LandingTarget?> PrepareAsync(MigrationPlan plan, string targetNode, CancellationToken cancellationToken) =>
        Task.FromResult<LandingTarget?>(new LandingTarget { ContainerId = containerId });

    public Task ReleaseAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
