using System.Runtime.InteropServices;

namespace Ssi.Agent.Native;

/// <summary>kill(2).</summary>
public static class ProcessSignals
{
    public const int SIGINT = 2;
    public const int SIGKILL = 9;
    public const int SIGUSR1 = 10;
    public const int SIGTERM = 15;
    public const int SIGCONT = 18;
    public const int SIGSTOP = 19;

    /// <summary>Sends <paramref name="signal"/> to <paramref name="pid"/>; returns 0 or the errno.</summary>
    public static int Send(int pid, int signal) =>
        LibC.kill(pid, signal) == 0 ? 0 : Marshal.GetLastPInvokeError();
}
