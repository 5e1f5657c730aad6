using Ssi.Agent.Native;
using Ssi.Agent.Native.Processes;
using Ssi.Orchestration.Migration;

namespace Ssi.Cli.Local;

/// <summary>
/// Local mode: every node's processes are processes of this machine, so a tree an agent left
/// stopped when it died can be resumed or ended from here by its host PIDs.
/// </summary>
internal sealed class LocalStrandedProcesses : IStrandedProcessHandler
{
    public Task<bool> ResumeAsync(string node, int shimHostPid, CancellationToken cancellationToken) =>
        Task.FromResult(Signal(shimHostPid, ProcessSignals.SIGCONT, wholeTree: true));

    public Task<bool> KillAsync(string node, int shimHostPid, CancellationToken cancellationToken) => EndAsync(shimHostPid, cancellationToken);

    /// <summary>The agent's default image directory (Agent:ImageDirectory): criu leaves the restored PID there.</summary>
    public const string ImageRoot = "/dev/shm/ssi-migration";

    public async Task<bool> AbortRestoreAsync(string node, string attemptId, CancellationToken cancellationToken)
    {
        var directory = Path.Combine(ImageRoot, node, attemptId);
        var pidFile = Path.Combine(directory, "restore.pid");
        // A restore still running when its agent died finishes on its own: give it a moment.
        for (var i = 0; i < 50 && Directory.Exists(directory) && !File.Exists(pidFile); i++)
        {
            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }

        var killed = File.Exists(pidFile)
            && int.TryParse((await File.ReadAllTextAsync(pidFile, cancellationToken).ConfigureAwait(false)).Trim(), System.Globalization.CultureInfo.InvariantCulture, out var shim)
            && await EndAsync(shim, cancellationToken).ConfigureAwait(false);
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }

        return killed;
    }

    /// <summary>
    /// Kills a workload's tree (SIGKILL to its PID namespace's init) and returns once none of it runs
    /// any more: the kernel ends the namespace's other processes after its init, and a caller told
    /// "exactly one copy runs" must not find the other still there (at most 5 s; dead and unreaped counts as ended).
    /// </summary>
    private static async Task<bool> EndAsync(int shim, CancellationToken cancellationToken)
    {
        var tree = File.Exists($"/proc/{shim}/cmdline") ? ProcessTree.WithDescendants(shim) : [];
        if (!Signal(shim, ProcessSignals.SIGKILL, wholeTree: false))
        {
            return false;
        }

        for (var i = 0; i < 500 && tree.Any(Runs); i++)
        {
            await Task.Delay(10, cancellationToken).ConfigureAwait(false);
        }

        return true;
    }

    /// <summary>Whether a process exists and is not a zombie.</summary>
    private static bool Runs(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat.LastIndexOf(')') is var end and > 0 && end + 2 < stat.Length ? stat[end + 2] : 'Z';
            return state is not ('Z' or 'X');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false; // gone
        }
    }

    private static bool Signal(int shim, int signal, bool wholeTree)
    {
        if (shim <= 0 || !File.Exists($"/proc/{shim}/cmdline") || !File.ReadAllText($"/proc/{shim}/cmdline").Contains("ssi-shim", StringComparison.Ordinal))
        {
            return false; // gone, or not a workload's shim: never signal a stranger
        }

        // SIGKILL to a PID namespace's init ends every process in it; SIGCONT must reach each one.
        foreach (var pid in wholeTree ? ProcessTree.WithDescendants(shim) : [shim])
        {
            ProcessSignals.Send(pid, signal);
        }

        return true;
    }
}
