using System.Globalization;

namespace Ssi.Cli.Local;

/// <summary>Reads a process's start time from /proc, which together with its PID identifies it for good.</summary>
internal static class ProcessIdentity
{
    /// <summary>Start time (field 22 of /proc/PID/stat, in clock ticks since boot), or null if the process is gone.</summary>
    public static ulong? StartTime(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return null;
        }

        return ParseStartTime(stat);
    }

    /// <summary>Parses field 22 of a /proc/PID/stat line; the command (field 2) may contain spaces and parentheses.</summary>
    public static ulong? ParseStartTime(string stat)
    {
        var close = stat.LastIndexOf(')');
        if (close < 0)
        {
            return null;
        }

        // Fields after the command start at field 3 (state); start time is field 22.
        var fields = stat[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        const int startTimeIndex = 22 - 3;
        return fields.Length > startTimeIndex && ulong.TryParse(fields[startTimeIndex], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            ? ticks
            : null;
    }

    public static bool IsAlive(LocalProcessRecord record) => StartTime(record.Pid) == record.StartTime;
}
