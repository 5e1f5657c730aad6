using Ssi.Api.V1Alpha1;

namespace Ssi.Operator.ProcessMigrations;

/// <summary>
/// The seam to the shared, Kubernetes-free migration orchestration (Ssi.Orchestration's
/// MigrationCoordinator): plan, migrate, and resume or roll back an attempt found in flight.
/// <paramref name="journal"/> must be awaited before every irreversible step: it writes the status
/// durably, so that a new leader can resume or roll back.
/// </summary>
internal interface IProcessMigrationDriver
{
    Task<MigrationOutcome> PlanAsync(MigrationRequest request, CancellationToken cancellationToken);

    Task<MigrationOutcome> MigrateAsync(MigrationRequest request, Func<MigrationProgress, CancellationToken, Task> journal, CancellationToken cancellationToken);

    /// <summary>A previous leader left <paramref name="request"/>'s attempt in flight: finish it or roll it back, never leave two copies.</summary>
    Task<MigrationOutcome> ResumeOrRollBackAsync(MigrationRequest request, MigrationProgress lastJournaled, Func<MigrationProgress, CancellationToken, Task> journal, CancellationToken cancellationToken);
}
