namespace Ssi.Orchestration.Migration;

/// <summary>
/// What the durable record (ProcessMigration status) says of an attempt that a previous coordinator
/// left in flight: the last phase it announced and the node the process was on.
/// </summary>
public sealed record InterruptedAttempt(string Phase, string? SourceNode);
