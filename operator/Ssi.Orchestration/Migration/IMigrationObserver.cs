namespace Ssi.Orchestration.Migration;

/// <summary>
/// Told of every phase change before the step runs: the CLI shows progress, the operator writes
/// ProcessMigration status durably (so that a new leader can resume or roll back).
/// </summary>
public interface IMigrationObserver
{
    Task OnPhaseAsync(MigrationOutcome outcome, CancellationToken cancellationToken);
}
