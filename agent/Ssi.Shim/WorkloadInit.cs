using System.Runtime.InteropServices;
using Ssi.Agent.Native;
using Ssi.Agent.Native.Mounts;
using Ssi.Agent.Native.Processes;
using Ssi.Agent.Native.Spawn;
using Ssi.Agent.Native.Terminals;

namespace Ssi.Shim;

/// <summary>
/// PID 1 of a workload's PID namespace: mounts the workload's own /proc, starts the command,
/// forwards the signals it gets to it, reaps every orphan, reports the start, the orphans and the
/// end to its node's agent, and exits with the command's status (which ends the namespace).
/// </summary>
internal static class WorkloadInit
{
    /// <summary>Signals an init forwards: termination, job control and user signals.</summary>
    private static readonly int[] Forwarded = [1 /* HUP */, 2 /* INT */, 3 /* QUIT */, 10 /* USR1 */, 12 /* USR2 */, 15 /* TERM */, 18 /* CONT */, 28 /* WINCH */];

    public static int Run(ShimArguments arguments)
    {
        if (Environment.ProcessId != 1)
        {
            // Outside a fresh PID namespace (e.g. run by hand) still adopt orphans.
            ProcessControl.BecomeSubreaper();
        }

        if (arguments.OwnProc)
        {
            // The agent started us in new PID and mount namespaces: the workload sees only its own
            // processes, and its standard descriptors (a log file, /dev/null, a terminal opened by
            // the agent) are opened again through this namespace's mounts, which CRIU requires.
            WorkloadMounts.MountOwnProc();
            WorkloadMounts.Hide(arguments.Hidden ?? []);
            for (var fd = 0; fd <= 2; fd++)
            {
                FileDescriptor.TryReopenByPath(fd);
            }
        }

        // The launcher's session lies outside the namespace; a session of our own keeps the whole
        // tree checkpointable (CRIU refuses a session leader outside the PID namespace).
        ProcessControl.NewSession();
        var terminal = Pty.IsTerminal(0) ? File.ResolveLinkTarget("/proc/self/fd/0", false)?.ToString() : null;
        int child;
        try
        {
            child = Spawner.Start(new SpawnOptions(arguments.Command)
            {
                NewSession = terminal is not null,
                NewProcessGroup = true,
                ControllingTerminal = terminal,
            });
        }
        catch (NativeException e)
        {
            Console.Error.WriteLine($"ssi-shim: cannot start {arguments.Command[0]}: {e.Message}");
            return e.Errno == 2 /* ENOENT */ ? 127 : 126;
        }

        Report(arguments, ShimReport.Started(Environment.ProcessId, child));
        var registrations = Forwarded
            .Select(signal => PosixSignalRegistration.Create((PosixSignal)signal, context =>
            {
                context.Cancel = true;
                ProcessSignals.Send(child, signal);
            }))
            .ToList();

        try
        {
            while (ChildProcess.Wait(-1) is { } ended)
            {
                if (ended.Pid == child)
                {
                    Report(arguments, ShimReport.Exited(child, ended.Status));
                    return ended.Status.Code;
                }

                Report(arguments, ShimReport.Reaped(ended.Pid, ended.Status));
            }

            return 0;
        }
        finally
        {
            registrations.ForEach(r => r.Dispose());
        }
    }

    /// <summary>Best effort: a report the agent does not get changes nothing for the workload.</summary>
    private static void Report(ShimArguments arguments, ShimReport report)
    {
        if (arguments.ReportSocket is { } socket)
        {
            _ = ShimReportSender.TrySend(socket, report);
        }
    }
}
