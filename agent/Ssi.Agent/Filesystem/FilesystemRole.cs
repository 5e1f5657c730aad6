namespace Ssi.Agent.Filesystem;

/// <summary>What this agent's shared filesystem is doing: its role and whether it is mounted.</summary>
internal sealed class FilesystemRole
{
    public string Role { get; private set; } = "";

    public bool Mounted { get; private set; }

    public bool Passthrough { get; private set; }

    public string Message { get; private set; } = "Not mounted yet.";

    public void Report(string role, bool mounted, bool passthrough, string message)
    {
        Role = role;
        Passthrough = passthrough;
        Message = message;
        Mounted = mounted;
    }
}
