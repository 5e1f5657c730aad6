using Ssi.Agent.Native;
using Ssi.Agent.Native.Processes;

namespace Ssi.Agent.Migration.Checkpoint;

/// <summary>A criu process started by the agent: its readiness and its end.</summary>
internal sealed record CriuProcess(int Pid, string Command, string LogPath, Task<bool> Ready, Task<ExitStatus?> Exited)
{
    /// <summary>Waits until criu is ready to serve; throws with its log when it ended instead.</summary>
    public async Task WaitReadyAsync(CancellationToken cancellationToken)
    {
        await Task.WhenAny(Ready, Exited).WaitAsync(cancellationToken).ConfigureAwait(false);
        if (!Ready.IsCompleted || !await Ready.ConfigureAwait(false))
        {
            throw Failure(await Exited.ConfigureAwait(false));
        }
    }

    public MigrationException Failure(ExitStatus? status) =>
        new($"criu {Command} failed (exit {status?.Code}): {CriuRunner.LogTail(LogPath)}");

    /// <summary>
    /// Kills criu and every process under it: a restore cut short leaves half-built tasks that
    /// nothing else would end (criu does not tie them to its own life).
    /// </summary>
    public void Kill()
    {
        if (!Exited.IsCompleted)
        {
            var tree = ProcessTree.WithDescendants(Pid);
            foreach (var pid in tree)
            {
                ProcessSignals.Send(pid, ProcessSignals.SIGKILL);
            }
        }
    }
}
