namespace Ssi.Agent.Native.Processes;

/// <summary>How a process ended: <see cref="Code"/> is the exit code, or 128 + signal as shells report it.</summary>
public readonly record struct ExitStatus(int Code, int Signal)
{
    public static ExitStatus FromWaitStatus(int status) =>
        (status & 0x7f) == 0 ? new ExitStatus((status >> 8) & 0xff, 0) : new ExitStatus(128 + (status & 0x7f), status & 0x7f);
}
