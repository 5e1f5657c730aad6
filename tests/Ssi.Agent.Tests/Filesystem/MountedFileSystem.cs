using Microsoft.Extensions.Logging.Abstractions;
using Ssi.Agent.Filesystem.Coherency;
using Ssi.Agent.Filesystem.Fuse;
using Ssi.Agent.Filesystem.Local;
using Ssi.Agent.Filesystem.Locks;
using Ssi.Agent.Native.Fuse;
using Ssi.Testing;

namespace Ssi.Agent.Tests.Filesystem;

/// <summary>A real FUSE mount of a <see cref="LocalFileSystem"/> on a temporary backing directory.</summary>
internal sealed class MountedFileSystem : IDisposable
{
    private MountedFileSystem(string root, LocalFileSystem fs, FuseSession session)
    {
        Root = root;
        FileSystem = fs;
        Session = session;
    }

    public string Root { get; }

    public string Backing => Path.Combine(Root, "backing");

    public string Mount => Path.Combine(Root, "mnt");

    public LocalFileSystem FileSystem { get; }

    public FuseSession Session { get; }

    public string this[string relative] => Path.Combine(Mount, relative);

    public static async Task<MountedFileSystem> StartAsync(bool passthrough = false)
    {
        Prerequisites.RequireRoot();
        Prerequisites.RequireFuse();
        var root = Directory.CreateTempSubdirectory("ssi-fs-").FullName;
        Directory.CreateDirectory(Path.Combine(root, "mnt"));
        var fs = new LocalFileSystem(Path.Combine(root, "backing"), TimeSpan.FromHours(1));
        var device = FuseDevice.Mount(Path.Combine(root, "mnt"), "ssi-test");
        var hub = new CoherencyHub(NullLogger<CoherencyHub>.Instance, new NodeLiveness(TimeProvider.System, TimeSpan.FromSeconds(10)));
        hub.AttachHome(0, device);
        var dispatcher = new FuseDispatcher(fs, hub, new LockManager(), NullLogger<FuseDispatcher>.Instance);
        dispatcher.AttachLocalMount(device);
        var session = new FuseSession(device, dispatcher, passthrough, NullLogger.Instance, locks: true);
        session.Start(4);
        await session.Initialized.WaitAsync(TimeSpan.FromSeconds(10));
        if (session.Passthrough)
        {
            dispatcher.EnablePassthrough();
        }
        return new MountedFileSystem(root, fs, session);
    }

    public void Dispose()
    {
        try
        {
            FuseDevice.Unmount(Mount);
        }
        finally
        {
            Session.Stopped.Wait(TimeSpan.FromSeconds(5));
            Session.Dispose();
            FileSystem.Dispose();
            Directory.Delete(Root, recursive: true);
        }
    }
}
