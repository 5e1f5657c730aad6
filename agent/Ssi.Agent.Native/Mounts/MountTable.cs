using System.Globalization;
using System.Text;

namespace Ssi.Agent.Native.Mounts;

/// <summary>The mounts this process sees, from /proc/self/mountinfo.</summary>
public static class MountTable
{
    /// <summary>The file system type mounted at <paramref name="path"/> (the topmost mount), or null when nothing is mounted there.</summary>
    public static string? TypeAt(string path) => TypeAt(File.ReadLines("/proc/self/mountinfo"), path);

    /// <summary>Parses mountinfo lines: "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - TYPE SOURCE SUPER".</summary>
    public static string? TypeAt(IEnumerable<string> mountinfo, string path)
    {
        ArgumentNullException.ThrowIfNull(mountinfo);
        var wanted = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        string? type = null;
        foreach (var line in mountinfo)
        {
            var fields = line.Split(' ');
            var separator = Array.IndexOf(fields, "-");
            if (fields.Length > 4 && separator > 4 && separator + 1 < fields.Length && Unescape(fields[4]) == wanted)
            {
                type = fields[separator + 1]; // later lines are mounted on top
            }
        }

        return type;
    }

    /// <summary>Whether a mount of this mount namespace has <paramref name="path"/> as its mount point.</summary>
    public static bool IsMountPoint(string path) => TypeAt(path) is not null;

    /// <summary>The mount point (fifth field) of a mountinfo line, unescaped.</summary>
    public static string? MountPointOf(string mountinfoLine)
    {
        var fields = mountinfoLine.Split(' ');
        return fields.Length > 4 ? Unescape(fields[4]) : null;
    }

    /// <summary>The file system type of a mountinfo line: the field after the "-" separator.</summary>
    public static string? FileSystemTypeOf(string mountinfoLine)
    {
        var fields = mountinfoLine.Split(' ');
        var separator = Array.IndexOf(fields, "-");
        return separator > 4 && separator + 1 < fields.Length ? fields[separator + 1] : null;
    }

    /// <summary>mountinfo writes space, tab, newline and backslash as \ooo octal.</summary>
    internal static string Unescape(string field)
    {
        if (!field.Contains('\\', StringComparison.Ordinal))
        {
            return field;
        }

        var result = new StringBuilder(field.Length);
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && i + 3 < field.Length && int.TryParse(field.AsSpan(i + 1, 3), NumberStyles.None, CultureInfo.InvariantCulture, out _))
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
