namespace Ssi.Cli.Local;

/// <summary>A process local mode started: its PID and kernel start time, so that a reused PID is never signalled.</summary>
internal sealed record LocalProcessRecord(string Role, string Node, int Pid, ulong StartTime);
