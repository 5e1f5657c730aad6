namespace Ssi.Agent.Native.Spawn;

/// <summary>What to start and how: argv, environment, descriptors, session and terminal.</summary>
public sealed record SpawnOptions(IReadOnlyList<string> Argv)
{
    /// <summary>Environment as NAME=value; null inherits the caller's.</summary>
    public IReadOnlyList<string>? Environment { get; init; }

    /// <summary>Descriptors of the caller to install as the child's 0, 1, 2 (or any target number).</summary>
    public IReadOnlyList<(int Source, int Target)> Descriptors { get; init; } = [];

    /// <summary>setsid(2) in the child: a new session (and process group), no controlling terminal.</summary>
    public bool NewSession { get; init; }

    /// <summary>A new process group led by the child (ignored with <see cref="NewSession"/>).</summary>
    public bool NewProcessGroup { get; init; }

    /// <summary>After setsid, open this terminal as fd 0, 1 and 2 so that it becomes the controlling terminal.</summary>
    public string? ControllingTerminal { get; init; }

    public string? WorkingDirectory { get; init; }
}
