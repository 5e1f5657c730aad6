using System.Globalization;

namespace Ssi.Cli.Local;

/// <summary>Reads a process's start time from /proc, which together with its PID identifies it for good.</summary>
internal static class ProcessIdentity
{
    /// <summary>Start time (field 22 of /proc/PID/stat, in clock ticks since boot), or null if the process is gone.</summary>
    public static ulong? StartTime(int pid) => ReadStat(pid)?.StartTime;

    /// <summary>True while the recorded process runs: same PID, same start time, not a zombie.</summary>
    public static bool IsAlive(LocalProcessRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return ReadStat(record.Pid) is { } stat && stat.StartTime == record.StartTime && stat.State != 'Z' && stat.State != 'X';
    }

    /// <summary>Parses state (field 3) and start time (field 22) of a /proc/PID/stat line; the command (field 2) may contain spaces and parentheses.</summary>
    public static (char State, ulong StartTime)? ParseStat(string stat)
    {
        var close = stat.LastIndexOf(')');
        if (close < 0)
        {
            return null;
        }

        var fields = stat[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        const int startTimeIndex = 22 - 3;
        return fields.Length > startTimeIndex && ulong.TryParse(fields[startTimeIndex], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            ? (fields[0][0], ticks)
            : null;
    }

    private static (char State, ulong StartTime)? ReadStat(int pid)
    {
        try
        {
            return ParseStat(File.ReadAllText($"/proc/{pid}/stat"));
        }
        catch (IOException)
        {
            return null;
        }
    }
}
