using System.Globalization;

namespace Ssi.Agent.Processes;

/// <summary>The fields of /proc/PID/stat that the process table uses.</summary>
internal sealed record ProcStat(
    int Pid,
    string Command,
    char State,
    int ParentPid,
    int ProcessGroup,
    int Session,
    long UserTicks,
    long SystemTicks,
    ulong StartTicks,
    long RssPages)
{
    /// <summary>Parses a /proc/PID/stat line; the command (field 2) may contain spaces and parentheses.</summary>
    public static ProcStat? Parse(string line)
    {
        var open = line.IndexOf('(', StringComparison.Ordinal);
        var close = line.LastIndexOf(')');
        if (open < 0 || close < open)
        {
            return null;
        }

        var f = line[(close + 2)..].Split(' ');
        // f[0] is field 3 (state); field N is f[N - 3].
        if (f.Length < 22 || !int.TryParse(line.AsSpan(0, open).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
        {
            return null;
        }

        return new ProcStat(
            pid,
            line[(open + 1)..close],
            f[0][0],
            Int(f[4 - 3]),
            Int(f[5 - 3]),
            Int(f[6 - 3]),
            Long(f[14 - 3]),
            Long(f[15 - 3]),
            ulong.Parse(f[22 - 3], CultureInfo.InvariantCulture),
            Long(f[24 - 3]));
    }

    public static ProcStat? Read(int pid)
    {
        try
        {
            return Parse(File.ReadAllText($"/proc/{pid}/stat"));
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static int Int(string s) => int.Parse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);

    private static long Long(string s) => long.Parse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
}
