namespace Ssi.Agent.Native.Mounts;

/// <summary>A small tmpfs of this mount namespace's own at a directory, so that what is created there stays out of other namespaces that share the directory's file system.</summary>
public static class PrivateTmpfs
{
    private const ulong MS_NOSUID = 2;
    private const ulong MS_NODEV = 4;
    private const ulong MS_NOEXEC = 8;

    /// <summary>Mounts it at <paramref name="directory"/> (created if missing), unless something is mounted there already.</summary>
    public static void Ensure(string directory)
    {
        Directory.CreateDirectory(directory);
        if (MountTable.IsMountPoint(directory))
        {
            return;
        }

        if (LibC.mount("tmpfs", directory, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0755,size=64k") != 0)
        {
            throw NativeException.Last($"mount tmpfs at {directory}");
        }
    }
}
