using Ssi.Api.V1Alpha1;
using Ssi.Orchestration.Migration;

namespace Ssi.Operator.ProcessMigrations;

/// <summary>
/// The seam to the shared, Kubernetes-free <see cref="MigrationCoordinator"/> (tests replace it):
/// runs one attempt against the agents of <paramref name="cluster"/>, telling
/// <paramref name="observer"/> of every phase before the step runs; the tree lands where
/// <paramref name="landing"/> says.
/// </summary>
internal interface IProcessMigrationDriver
{
    Task<MigrationOutcome> RunAsync(V1Alpha1SsiCluster cluster, MigrationRequest request, ILandingAdapter landing, IMigrationObserver observer, CancellationToken cancellationToken);

    /// <summary>
    /// Takes over the attempt <paramref name="request"/> names, which a previous leader left in
    /// flight in <paramref name="interrupted"/>: finishes it, rolls it back, or (outcome phase not
    /// final) says that an agent is still inside a step.
    /// </summary>
    Task<MigrationOutcome> ResumeAsync(V1Alpha1SsiCluster cluster, MigrationRequest request, InterruptedAttempt interrupted, ILandingAdapter landing, IMigrationObserver observer, CancellationToken cancellationToken);
}
