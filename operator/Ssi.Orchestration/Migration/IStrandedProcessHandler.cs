namespace Ssi.Orchestration.Migration;

/// <summary>
/// What the coordinator does when an agent dies in the middle of a migration and leaves a tree
/// stopped: local mode signals it directly (every node's processes are this machine's); on
/// Kubernetes the agent's restart does it.
/// </summary>
public interface IStrandedProcessHandler
{
    /// <summary>Lets a stopped tree (the shim's host PID and its descendants) run again. False if it cannot.</summary>
    Task<bool> ResumeAsync(string node, int shimHostPid, CancellationToken cancellationToken);

    /// <summary>Ends a stopped tree. False if it cannot.</summary>
    Task<bool> KillAsync(string node, int shimHostPid, CancellationToken cancellationToken);

    /// <summary>
    /// The target agent died during or after a restore it never reported: end whatever copy it
    /// restored for <paramref name="attemptId"/>, if any. False if it cannot tell.
    /// </summary>
    Task<bool> AbortRestoreAsync(string node, string attemptId, CancellationToken cancellationToken);
}
