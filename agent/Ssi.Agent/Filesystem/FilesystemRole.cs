using Ssi.Agent.Filesystem.Fuse;

namespace Ssi.Agent.Filesystem;

/// <summary>Whether this agent is the home of the shared filesystem, and its dispatcher once it serves.</summary>
internal sealed class FilesystemRole
{
    private FuseDispatcher? _dispatcher;

    public FuseDispatcher? Dispatcher => Volatile.Read(ref _dispatcher);

    public void Serve(FuseDispatcher dispatcher) => Volatile.Write(ref _dispatcher, dispatcher);
}
