namespace Ssi.Operator.ProcessMigrations;

/// <summary>
/// Stands in until the shared MigrationCoordinator is wired in: every request ends Failed with that
/// reason, before anything is frozen (the process is never touched).
/// </summary>
internal sealed class CoordinatorUnavailableDriver : IProcessMigrationDriver
{
    public const string Reason = "This operator build has no migration coordinator yet (issue 8); nothing was frozen or moved.";

    public Task<MigrationOutcome> PlanAsync(MigrationRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(new MigrationOutcome(MigrationPhases.Failed, Reason));

    public Task<MigrationOutcome> MigrateAsync(MigrationRequest request, Func<MigrationProgress, CancellationToken, Task> journal, CancellationToken cancellationToken) =>
        Task.FromResult(new MigrationOutcome(MigrationPhases.Failed, Reason));

    public Task<MigrationOutcome> ResumeOrRollBackAsync(MigrationRequest request, MigrationProgress lastJournaled, Func<MigrationProgress, CancellationToken, Task> journal, CancellationToken cancellationToken) =>
        Task.FromResult(new MigrationOutcome(MigrationPhases.Failed, Reason));
}
