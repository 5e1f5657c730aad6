using Ssi.Agent.Native.Fuse;

namespace Ssi.Agent.Tests.Filesystem;

/// <summary>A temporary directory for tests that mount: its mount points are detached (last first) and it is deleted at the end.</summary>
internal sealed class MountScratch : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("ssi-mounts-");
    private readonly List<string> _mountPoints = [];

    /// <summary>A directory below the scratch that something may be mounted on.</summary>
    public string MountPoint(string name)
    {
        var path = Path.Combine(_root.FullName, name);
        if (!_mountPoints.Contains(path))
        {
            _mountPoints.Add(path);
        }

        return path;
    }

    public void Dispose()
    {
        foreach (var path in Enumerable.Reverse(_mountPoints))
        {
            _ = FuseDevice.TryUnmount(path);
        }

        _root.Delete(recursive: true);
    }
}
