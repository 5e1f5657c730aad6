namespace Ssi.Agent.Native.Mounts;

/// <summary>bind(8)-style mounts: the same tree at a second path.</summary>
public static class BindMount
{
    private const ulong MS_BIND = 4096;
    private const ulong MS_REC = 16384;

    /// <summary>
    /// Makes the file system at <paramref name="source"/> (not the mounts below it) visible at
    /// <paramref name="target"/>, unless something is mounted there already.
    /// </summary>
    public static void EnsureAlone(string source, string target)
    {
        Directory.CreateDirectory(target);
        if (MountTable.IsMountPoint(target))
        {
            return;
        }

        if (LibC.mount(source, target, "", MS_BIND, "") != 0)
        {
            throw NativeException.Last($"bind mount {source} at {target}");
        }
    }

    /// <summary>Makes <paramref name="source"/> (and the mounts below it) visible at <paramref name="target"/>.</summary>
    public static void Mount(string source, string target)
    {
        if (LibC.mount(source, target, "", MS_BIND | MS_REC, "") != 0)
        {
            throw NativeException.Last($"bind mount {source} at {target}");
        }
    }
}
