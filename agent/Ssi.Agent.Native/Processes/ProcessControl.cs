using System.Runtime.InteropServices;

namespace Ssi.Agent.Native.Processes;

/// <summary>Process-level controls: child subreaper, race-free signals through pidfds.</summary>
public static class ProcessControl
{
    private const int PR_SET_CHILD_SUBREAPER = 36;
    private const int ESRCH = 3;

    /// <summary>Makes this process adopt its orphaned descendants (as PID 1 does).</summary>
    /// <summary>
    /// setsid(2): makes the caller the leader of a new session and process group, so that a
    /// workload's whole tree (sessions included) lies inside its PID namespace, as CRIU requires.
    /// Fails only for a process group leader, which is harmless for callers that only want a tree of their own.
    /// </summary>
    public static bool NewSession() => LibC.setsid() >= 0;

    public static void BecomeSubreaper()
    {
        if (LibC.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0)
        {
            throw NativeException.Last("prctl PR_SET_CHILD_SUBREAPER");
        }
    }

    /// <summary>
    /// Signals <paramref name="pid"/> only if it is still the process that started at
    /// <paramref name="expectedStartTime"/> (pidfd_open pins the process, then the start time is checked).
    /// Returns false when the process is gone.
    /// </summary>
    public static bool SignalIfSame(int pid, ulong expectedStartTime, Func<int, ulong?> startTimeOf, int signal)
    {
        ArgumentNullException.ThrowIfNull(startTimeOf);
        var pidfd = LibC.PidfdOpen(pid);
        if (pidfd < 0)
        {
            return false;
        }

        try
        {
            if (startTimeOf(pid) != expectedStartTime)
            {
                return false;
            }

            if (LibC.PidfdSendSignal(pidfd, signal) == 0)
            {
                return true;
            }

            var errno = Marshal.GetLastPInvokeError();
            return errno == ESRCH ? false : throw new NativeException("pidfd_send_signal", errno);
        }
        finally
        {
            LibC.close(pidfd);
        }
    }

    /// <summary>kill(-pgid, signal); returns false when no process is in the group.</summary>
    public static bool SignalGroup(int processGroup, int signal)
    {
        if (LibC.kill(-processGroup, signal) == 0)
        {
            return true;
        }

        var errno = Marshal.GetLastPInvokeError();
        return errno == ESRCH ? false : throw new NativeException("kill", errno);
    }
}
