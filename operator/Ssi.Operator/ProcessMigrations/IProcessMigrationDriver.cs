using Ssi.Api.V1Alpha1;
using Ssi.Orchestration.Migration;

namespace Ssi.Operator.ProcessMigrations;

/// <summary>
/// The seam to the shared, Kubernetes-free <see cref="MigrationCoordinator"/> (tests replace it):
/// runs one attempt against the agents of <paramref name="cluster"/>, telling
/// <paramref name="observer"/> of every phase before the step runs.
/// </summary>
internal interface IProcessMigrationDriver
{
    Task<MigrationOutcome> RunAsync(V1Alpha1SsiCluster cluster, MigrationRequest request, IMigrationObserver observer, CancellationToken cancellationToken);
}
