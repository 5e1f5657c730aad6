namespace Ssi.Agent.Processes;

/// <summary>What to run: program and arguments, environment, directory, terminal.</summary>
internal sealed record WorkloadRequest(
    IReadOnlyList<string> Argv,
    IReadOnlyList<string> Environment,
    string WorkingDirectory,
    bool Tty,
    ushort Rows,
    ushort Columns,
    string Term,
    bool Detach = false);
