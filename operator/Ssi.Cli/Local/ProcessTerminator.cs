using Ssi.Agent.Native;

namespace Ssi.Cli.Local;

/// <summary>Ends processes local mode started: SIGTERM, a grace period, then SIGKILL; never a PID that was reused.</summary>
internal static class ProcessTerminator
{
    public static async Task TerminateAsync(IEnumerable<LocalProcessRecord> records, TimeSpan grace)
    {
        var alive = records.Where(ProcessIdentity.IsAlive).ToList();
        foreach (var record in alive)
        {
            _ = ProcessSignals.Send(record.Pid, ProcessSignals.SIGTERM);
        }

        var deadline = DateTime.UtcNow + grace;
        while (alive.Count > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20).ConfigureAwait(false);
            alive.RemoveAll(r => !ProcessIdentity.IsAlive(r));
        }

        foreach (var record in alive)
        {
            _ = ProcessSignals.Send(record.Pid, ProcessSignals.SIGKILL);
        }
    }

    /// <summary>Kills a process found inside one of the cluster's own namespaces (so one local mode started).</summary>
    public static void Kill(int pid) => _ = ProcessSignals.Send(pid, ProcessSignals.SIGKILL);
}
