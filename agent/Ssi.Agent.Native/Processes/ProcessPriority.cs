namespace Ssi.Agent.Native.Processes;

/// <summary>Scheduling priority of every thread of a process (setpriority(2) per task).</summary>
public static class ProcessPriority
{
    private const int PRIO_PROCESS = 0;

    /// <summary>The lowest nice value (19).</summary>
    public const int Lowest = 19;

    /// <summary>
    /// Sets the nice value of every thread of <paramref name="pid"/> (in Linux a nice value belongs to a
    /// thread); threads that ended meanwhile are skipped. Returns how many threads were set.
    /// </summary>
    public static int Set(int pid, int nice)
    {
        string[] tasks;
        try
        {
            tasks = Directory.GetDirectories($"/proc/{pid}/task");
        }
        catch (IOException)
        {
            return 0;
        }

        var set = 0;
        foreach (var task in tasks)
        {
            if (int.TryParse(Path.GetFileName(task), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var tid)
                && LibC.setpriority(PRIO_PROCESS, tid, nice) == 0)
            {
                set++;
            }
        }

        return set;
    }
}
