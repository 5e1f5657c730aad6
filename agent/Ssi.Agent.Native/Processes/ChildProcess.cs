namespace Ssi.Agent.Native.Processes;

/// <summary>waitpid(2) for children started with the spawner, and how they ended.</summary>
public static class ChildProcess
{
    private const int EINTR = 4;

    /// <summary>Blocks until <paramref name="pid"/> (or, with -1, any child) ends; returns its PID and how it ended, or null when there is no child left.</summary>
    public static (int Pid, ExitStatus Status)? Wait(int pid)
    {
        while (true)
        {
            var result = LibC.waitpid(pid, out var status, 0);
            if (result > 0)
            {
                return (result, ExitStatus.FromWaitStatus(status));
            }

            var errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            if (errno != EINTR)
            {
                return null;
            }
        }
    }

    /// <summary>
    /// Reaps <paramref name="pid"/> if it has ended: true when reaped, null while it still runs,
    /// false when it is not (yet) a child of the caller.
    /// </summary>
    public static bool? TryReap(int pid)
    {
        const int WNOHANG = 1;
        var result = LibC.waitpid(pid, out _, WNOHANG);
        return result > 0 ? true : result == 0 ? null : false;
    }
}
