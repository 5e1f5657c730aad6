using System.Globalization;
using System.Runtime.InteropServices;

namespace Ssi.Agent.Native;

/// <summary>Identifies a namespace by its nsfs inode, from a /proc/PID/ns/* link or a bind-mounted namespace file.</summary>
public static class NamespaceInode
{
    /// <summary>The inode of the namespace at <paramref name="path"/> (stat(2) follows /proc/PID/ns links to the namespace).</summary>
    public static ulong Of(string path)
    {
        // struct stat starts with st_dev and st_ino, both 64-bit, on x86_64 and arm64.
        Span<byte> buffer = stackalloc byte[256];
        if (LibC.stat(path, ref MemoryMarshal.GetReference(buffer)) != 0)
        {
            throw NativeException.Last($"stat {path}");
        }

        return MemoryMarshal.Read<ulong>(buffer[8..]);
    }

    /// <summary>Parses "net:[4026531840]" (any namespace kind).</summary>
    public static ulong Parse(string link)
    {
        ArgumentNullException.ThrowIfNull(link);
        var open = link.IndexOf(":[", StringComparison.Ordinal);
        return open > 0 && link.EndsWith(']') && ulong.TryParse(link.AsSpan(open + 2, link.Length - open - 3), NumberStyles.None, CultureInfo.InvariantCulture, out var inode)
            ? inode
            : throw new IOException($"\"{link}\" does not name a namespace");
    }
}
