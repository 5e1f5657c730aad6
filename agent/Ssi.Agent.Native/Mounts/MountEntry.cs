using System.Globalization;

namespace Ssi.Agent.Native.Mounts;

/// <summary>
/// One line of /proc/PID/mountinfo: "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - TYPE
/// SOURCE SUPER". <see cref="Root"/> is the path of the mounted tree inside its file system (a bind
/// of a subdirectory has that subdirectory), <see cref="Device"/> names the file system ("0:51").
/// </summary>
public sealed record MountEntry(int Id, int ParentId, string Device, string Root, string MountPoint, string Type, string Source, string SuperOptions)
{
    /// <summary>Null for a line that is not a mountinfo line.</summary>
    public static MountEntry? Parse(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var fields = line.Split(' ');
        var separator = Array.IndexOf(fields, "-");
        if (fields.Length < 6 || separator < 6 || separator + 2 >= fields.Length
            || !int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            || !int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var parent))
        {
            return null;
        }

        return new MountEntry(
            id, parent, fields[2], MountTable.Unescape(fields[3]), MountTable.Unescape(fields[4]),
            fields[separator + 1], MountTable.Unescape(fields[separator + 2]), separator + 3 < fields.Length ? MountTable.Unescape(fields[separator + 3]) : "");
    }

    public static IReadOnlyList<MountEntry> ParseAll(IEnumerable<string> lines) => lines.Select(Parse).OfType<MountEntry>().ToList();

    /// <summary>The mounts of the mount namespace <paramref name="pid"/> is in, as it sees them (relative to its root).</summary>
    public static IReadOnlyList<MountEntry> Of(int pid) => ParseAll(File.ReadLines(string.Create(CultureInfo.InvariantCulture, $"/proc/{pid}/mountinfo")));
}
