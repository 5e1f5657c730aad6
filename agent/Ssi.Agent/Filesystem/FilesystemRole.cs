using Ssi.Agent.Filesystem.Fuse;

namespace Ssi.Agent.Filesystem;

/// <summary>What this agent's shared filesystem is doing: its role, whether it is mounted, and the home's dispatcher.</summary>
internal sealed class FilesystemRole
{
    private FuseDispatcher? _dispatcher;

    public FuseDispatcher? Dispatcher => Volatile.Read(ref _dispatcher);

    public string Role { get; private set; } = "";

    public bool Mounted { get; private set; }

    public bool Passthrough { get; private set; }

    public string Message { get; private set; } = "Not mounted yet.";

    public void Serve(FuseDispatcher dispatcher) => Volatile.Write(ref _dispatcher, dispatcher);

    public void Report(string role, bool mounted, bool passthrough, string message)
    {
        Role = role;
        Passthrough = passthrough;
        Message = message;
        Mounted = mounted;
    }
}
