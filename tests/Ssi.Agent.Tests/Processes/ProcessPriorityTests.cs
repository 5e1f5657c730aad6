using System.Diagnostics;
using System.Globalization;
using Ssi.Agent.Native.Processes;

namespace Ssi.Agent.Tests.Processes;

public sealed class ProcessPriorityTests
{
    [Fact]
    public void Every_thread_of_a_process_gets_the_nice_value_and_a_gone_process_none()
    {
        // python3 with a second thread: the nice value belongs to each thread.
        using var child = Process.Start(new ProcessStartInfo("python3", ["-c", "import threading,time; threading.Thread(target=time.sleep, args=(30,)).start(); time.sleep(30)"]))!;
        try
        {
            for (var i = 0; i < 100 && Directory.GetDirectories($"/proc/{child.Id}/task").Length < 2; i++)
            {
                Thread.Sleep(20);
            }

            Assert.Equal(2, ProcessPriority.Set(child.Id, ProcessPriority.Lowest));
            foreach (var task in Directory.GetDirectories($"/proc/{child.Id}/task"))
            {
                Assert.Equal(19, Nice(File.ReadAllText(Path.Combine(task, "stat"))));
            }
        }
        finally
        {
            child.Kill();
            child.WaitForExit();
        }

        Assert.Equal(0, ProcessPriority.Set(child.Id, ProcessPriority.Lowest));
    }

    /// <summary>Field 19 of /proc/PID/task/TID/stat (after the command in parentheses).</summary>
    private static int Nice(string stat) =>
        int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[16], CultureInfo.InvariantCulture);
}
