namespace Ssi.Agent.Native;

/// <summary>pidfd_open(2) and pidfd_getfd(2).</summary>
public static class Pidfd
{
    /// <summary>
    /// A duplicate (close-on-exec) of descriptor <paramref name="fd"/> of process <paramref name="pid"/>,
    /// taken with pidfd_getfd(2): the same open file description, kept alive by the caller.
    /// </summary>
    public static int TakeDescriptor(int pid, int fd)
    {
        var pidfd = LibC.PidfdOpen(pid);
        if (pidfd < 0)
        {
            throw NativeException.Last("pidfd_open");
        }

        try
        {
            var copy = LibC.PidfdGetfd(pidfd, fd);
            return copy >= 0 ? copy : throw NativeException.Last("pidfd_getfd");
        }
        finally
        {
            LibC.close(pidfd);
        }
    }

    /// <summary>Checks that this kernel and this process may use pidfd_getfd, by duplicating one of our own descriptors.</summary>
    public static (bool Available, string Reason) Probe()
    {
        var pidfd = LibC.PidfdOpen(Environment.ProcessId);
        if (pidfd < 0)
        {
            return (false, NativeException.Last("pidfd_open").Message);
        }

        try
        {
            var copy = LibC.PidfdGetfd(pidfd, pidfd);
            if (copy < 0)
            {
                return (false, NativeException.Last("pidfd_getfd").Message);
            }

            LibC.close(copy);
            return (true, "");
        }
        finally
        {
            LibC.close(pidfd);
        }
    }
}
