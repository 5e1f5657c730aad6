namespace Ssi.Agent.Native;

/// <summary>The few mounts the agent and the workload init make: a workload's own /proc, the root a restore builds on.</summary>
public static class Mounts
{
    private const ulong MS_NOSUID = 2;
    private const ulong MS_NODEV = 4;
    private const ulong MS_NOEXEC = 8;
    private const ulong MS_BIND = 4096;

    /// <summary>
    /// A proc of the caller's PID namespace over /proc. Only for PID 1 of a new PID namespace in a
    /// mount namespace of its own: elsewhere it would hide every other process of the node's /proc.
    /// </summary>
    public static void MountProc()
    {
        if (LibC.mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, "") != 0)
        {
            throw NativeException.Last("mount proc on /proc");
        }
    }

    /// <summary>Bind-mounts <paramref name="source"/> (not what is mounted beneath it) on <paramref name="target"/>, unless something is mounted there already.</summary>
    public static void EnsureBind(string source, string target)
    {
        Directory.CreateDirectory(target);
        if (IsMountPoint(target))
        {
            return;
        }

        if (LibC.mount(source, target, "", MS_BIND, "") != 0)
        {
            throw NativeException.Last($"bind mount {source} on {target}");
        }
    }

    /// <summary>
    /// Detaches, deepest first, every mount of this mount namespace that is a namespace file (nsfs)
    /// or lies at or beneath one of <paramref name="hidden"/>: a workload's copy of the node's mounts
    /// then holds nothing of the node's plumbing, which the node it moves to may not have.
    /// </summary>
    public static void Hide(IReadOnlyCollection<string> hidden)
    {
        const int MNT_DETACH = 2;
        var doomed = File.ReadLines("/proc/self/mountinfo")
            .Select(line => (MountPoint: MountPointOf(line), Type: FileSystemTypeOf(line)))
            .Where(m => m.MountPoint is not null && (m.Type == "nsfs" || hidden.Any(h => m.MountPoint == h || m.MountPoint.StartsWith(h.TrimEnd('/') + "/", StringComparison.Ordinal))))
            .Select(m => m.MountPoint!)
            .Reverse()
            .ToList();
        foreach (var mountPoint in doomed)
        {
            _ = LibC.umount2(mountPoint, MNT_DETACH); // already gone with its parent: fine
        }
    }

    /// <summary>The file system type of a /proc/self/mountinfo line: the field after the " - " separator.</summary>
    public static string? FileSystemTypeOf(string mountinfoLine)
    {
        var separator = mountinfoLine.IndexOf(" - ", StringComparison.Ordinal);
        return separator < 0 ? null : mountinfoLine[(separator + 3)..].Split(' ')[0];
    }

    /// <summary>Whether a mount of this mount namespace has <paramref name="path"/> as its mount point.</summary>
    public static bool IsMountPoint(string path) =>
        File.ReadLines("/proc/self/mountinfo").Any(line => MountPointOf(line) == path);

    /// <summary>The fifth field of a /proc/self/mountinfo line, with its octal escapes (\040 for a space) undone.</summary>
    public static string? MountPointOf(string mountinfoLine)
    {
        var fields = mountinfoLine.Split(' ');
        return fields.Length > 4 ? Unescape(fields[4]) : null;
    }

    private static string Unescape(string field)
    {
        if (!field.Contains('\\', StringComparison.Ordinal))
        {
            return field;
        }

        var result = new System.Text.StringBuilder(field.Length);
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && i + 3 < field.Length && field.Skip(i + 1).Take(3).All(c => c is >= '0' and <= '7'))
            {
                result.Append((char)Convert.ToInt32(field.Substring(i + 1, 3), 8));
                i += 3;
            }
            else
            {
                result.Append(field[i]);
            }
        }

        return result.ToString();
    }
}
