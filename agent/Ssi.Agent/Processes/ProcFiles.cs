using System.Globalization;

namespace Ssi.Agent.Processes;

/// <summary>Other /proc reads: command line, PID inside the process's own namespace, children, boot time.</summary>
internal static class ProcFiles
{
    /// <summary>Clock ticks per second of /proc times (USER_HZ, 100 on Linux).</summary>
    public const int TicksPerSecond = 100;

    private static readonly Lazy<DateTimeOffset> Boot = new(ReadBootTime);

    public static DateTimeOffset BootTime => Boot.Value;

    public static string CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").TrimEnd('\0').Replace('\0', ' ');
        }
        catch (IOException)
        {
            return "";
        }
    }

    /// <summary>The innermost PID of the process (last value of NSpid in /proc/PID/status).</summary>
    public static int NamespacePid(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("NSpid:", StringComparison.Ordinal));
            return ParseNamespacePid(line) ?? pid;
        }
        catch (IOException)
        {
            return pid;
        }
    }

    public static int? ParseNamespacePid(string? nspidLine)
    {
        var last = nspidLine?.Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
        return int.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;
    }

    /// <summary>
    /// Whether the process's root directory is not the agent's: a container's (the agent's own
    /// workloads share the node's root). False when it cannot be told (the process is gone).
    /// </summary>
    public static bool HasOwnRoot(int pid) =>
        Native.FileStatus.Of($"/proc/{pid}/root") is { } root && Native.FileStatus.Of("/") is { } node && (root.Dev, root.Inode) != (node.Dev, node.Inode);

    /// <summary>Direct children of a process (all of its threads' children).</summary>
    public static IEnumerable<int> Children(int pid) => Native.Processes.ProcessTree.Children(pid);

    public static DateTimeOffset StartedAt(ulong startTicks) => BootTime + TimeSpan.FromSeconds(startTicks / (double)TicksPerSecond);

    private static DateTimeOffset ReadBootTime()
    {
        var line = File.ReadLines("/proc/stat").First(l => l.StartsWith("btime ", StringComparison.Ordinal));
        return DateTimeOffset.FromUnixTimeSeconds(long.Parse(line[6..], CultureInfo.InvariantCulture));
    }
}
