using Ssi.Agent.Contracts.V1;

namespace Ssi.Orchestration.Migration;

/// <summary>
/// Where a migrated tree lands on the target node. Local mode: the node's own namespaces
/// (<see cref="NodeLanding"/>). On Kubernetes, a workload that ran in a pod lands in a landing pod
/// the operator creates on the target node (its namespaces and cgroup).
/// </summary>
public interface ILandingAdapter
{
    /// <summary>
    /// Before anything is frozen: makes the landing place for the workload <paramref name="plan"/>
    /// describes (idempotent: a coordinator that takes over may ask again). Null: the target node's
    /// own namespaces. Throws <see cref="LandingException"/> when there is none to be had.
    /// </summary>
    Task<LandingTarget?> PrepareAsync(MigrationPlan plan, string targetNode, CancellationToken cancellationToken);

    /// <summary>The attempt was undone: removes what <see cref="PrepareAsync"/> made, if anything (idempotent).</summary>
    Task ReleaseAsync(CancellationToken cancellationToken);
}
