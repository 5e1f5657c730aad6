namespace Ssi.Operator.ProcessMigrations;

internal static class MigrationPhases
{
    public const string Pending = "Pending";
    public const string Planning = "Planning";
    public const string Planned = "Planned";
    public const string Checkpointing = "Checkpointing";
    public const string Restoring = "Restoring";
    public const string Committing = "Committing";
    public const string Succeeded = "Succeeded";
    public const string Failed = "Failed";
    public const string RolledBack = "RolledBack";

    public static bool IsFinal(string? phase) => phase is Planned or Succeeded or Failed or RolledBack;

    /// <summary>Phases in which the process may be frozen or exist in two places: a restart must resume or roll back.</summary>
    public static bool IsInFlight(string? phase) => phase is Checkpointing or Restoring or Committing;
}
