using System.Runtime.InteropServices;

namespace Ssi.Agent.Native.Mounts;

/// <summary>
/// Copies one mount of another mount namespace (a landing container's root file system or volume)
/// into this one. The kernel refuses a bind mount of a path that lies in another mount namespace,
/// such as /proc/PID/root/data: mount(2) with MS_BIND and open_tree(2) with OPEN_TREE_CLONE both
/// answer EINVAL (measured on Linux 6.18). So a short-lived thread with a file system context of its
/// own joins that namespace, clones the mount there (open_tree, not recursive: the mount alone, not
/// what is mounted below it), comes back and attaches the clone here with move_mount(2). The copy is
/// made private: nothing mounted on it propagates back to the container, nor the other way.
/// </summary>
public static class ForeignMount
{
    private const int CLONE_NEWNS = 0x00020000;
    private const int CLONE_FS = 0x00000200;
    private const long SYS_open_tree = 428;
    private const long SYS_move_mount = 429;
    private const long AT_FDCWD = -100;
    private const long OPEN_TREE_CLONE = 1;
    private const long MOVE_MOUNT_F_EMPTY_PATH = 4;
    private const ulong MS_PRIVATE = 1 << 18;
    private const int MNT_DETACH = 2;
    private const uint S_IFMT = 0xF000;
    private const uint S_IFDIR = 0x4000;

    /// <summary>
    /// Mounts at <paramref name="target"/> (created here: a directory, or an empty file for a mount
    /// of a file such as /etc/hosts) a copy of the mount at <paramref name="path"/> of the mount
    /// namespace <paramref name="mountNamespace"/> (e.g. /proc/PID/ns/mnt).
    /// </summary>
    public static void Clone(string mountNamespace, string path, string target)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentException.ThrowIfNullOrEmpty(target);
        if (!Path.IsPathRooted(path) || !Path.IsPathRooted(target))
        {
            throw new ArgumentException($"{path} and {target} must be absolute: a thread that changed mount namespace starts from its root");
        }

        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                CloneOnThisThread(mountNamespace, path, target);
            }
            catch (Exception e)
            {
                failure = e;
            }
        }, maxStackSize: 256 * 1024)
        {
            IsBackground = true,
            Name = "mntns-clone",
        };
        thread.Start();
        thread.Join();
        if (failure is not null)
        {
            throw failure is IOException ? failure : new IOException($"cannot copy {path} of {mountNamespace} to {target}: {failure.Message}", failure);
        }
    }

    /// <summary>
    /// Unmounts a copy <see cref="Clone"/> made and removes its mount point when empty (a directory,
    /// or a file of no bytes). Never removes anything recursively: a path still mounted keeps its content.
    /// </summary>
    public static void Release(string target)
    {
        if (LibC.umount2(target, MNT_DETACH) != 0 && Marshal.GetLastPInvokeError() is not (22 /* EINVAL: not mounted */ or 2 /* ENOENT */))
        {
            throw NativeException.Last($"umount {target}");
        }

        if (Directory.Exists(target))
        {
            Directory.Delete(target, recursive: false);
        }
        else if (File.Exists(target) && new FileInfo(target).Length == 0)
        {
            File.Delete(target);
        }
    }

    private static void CloneOnThisThread(string mountNamespace, string path, string target)
    {
        var own = Open("/proc/thread-self/ns/mnt");
        var foreign = -1;
        var tree = -1;
        try
        {
            foreign = Open(mountNamespace);

            // setns(CLONE_NEWNS) needs a file system context (root, cwd) that no other thread shares.
            if (LibC.unshare(CLONE_FS) != 0)
            {
                throw NativeException.Last("unshare(CLONE_FS)");
            }

            if (LibC.setns(foreign, CLONE_NEWNS) != 0)
            {
                throw NativeException.Last($"setns {mountNamespace}");
            }

            tree = OpenTree(path);
            if (LibC.setns(own, CLONE_NEWNS) != 0)
            {
                throw NativeException.Last("setns back to the agent's mount namespace");
            }

            var directory = (FileStatus.OfDescriptor(tree).Mode & S_IFMT) == S_IFDIR;
            if (directory)
            {
                Directory.CreateDirectory(target);
            }
            else
            {
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                using (File.Create(target))
                {
                }
            }

            MoveMount(tree, target);
            if (LibC.mount("none", target, "", MS_PRIVATE, "") != 0)
            {
                throw NativeException.Last($"make {target} private");
            }
        }
        finally
        {
            foreach (var fd in new[] { tree, foreign, own }.Where(fd => fd >= 0))
            {
                LibC.close(fd);
            }
        }
    }

    private static int Open(string path)
    {
        var fd = LibC.open(path, LibC.O_RDONLY | LibC.O_CLOEXEC);
        return fd >= 0 ? fd : throw NativeException.Last($"open {path}");
    }

    private static int OpenTree(string path)
    {
        var name = Marshal.StringToCoTaskMemUTF8(path);
        try
        {
            var fd = (int)LibC.Syscall(SYS_open_tree, AT_FDCWD, name, OPEN_TREE_CLONE | LibC.O_CLOEXEC);
            return fd >= 0 ? fd : throw NativeException.Last($"open_tree {path}");
        }
        finally
        {
            Marshal.FreeCoTaskMem(name);
        }
    }

    private static void MoveMount(int tree, string target)
    {
        var empty = Marshal.StringToCoTaskMemUTF8("");
        var to = Marshal.StringToCoTaskMemUTF8(target);
        try
        {
            if (LibC.Syscall5(SYS_move_mount, tree, empty, AT_FDCWD, to, MOVE_MOUNT_F_EMPTY_PATH) != 0)
            {
                throw NativeException.Last($"move_mount to {target}");
            }
        }
        finally
        {
            Marshal.FreeCoTaskMem(empty);
            Marshal.FreeCoTaskMem(to);
        }
    }
}
