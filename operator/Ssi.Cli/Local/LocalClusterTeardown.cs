using System.Text;

namespace Ssi.Cli.Local;

/// <summary>
/// <c>ssi local down</c>: removes everything a local cluster consists of, whether <c>up</c>
/// finished, failed or crashed. It works from the journal and also sweeps by the cluster's
/// naming convention, and each step tolerates what is already gone.
/// </summary>
internal static class LocalClusterTeardown
{
    public static readonly TimeSpan AgentGrace = TimeSpan.FromSeconds(5);

    /// <summary>Removes the cluster; returns false when there was nothing to remove.</summary>
    public static async Task<bool> DownAsync(string cluster, string root, IProgress<LocalProgress> progress, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(root);
        using var clusterLock = LocalClusterLock.Acquire(root, cluster);
        var stateDirectory = LocalClusterLayout.StateDirectoryFor(root, cluster);
        try
        {
            var state = LocalClusterState.TryLoad(Path.Combine(stateDirectory, "state.json"));
            var namespaces = await ListClusterNamespacesAsync(cluster, cancellationToken).ConfigureAwait(false);
            if (state is null && namespaces.Count == 0 && !Directory.Exists(stateDirectory))
            {
                return false;
            }

            await RemoveAsync(cluster, root, state, progress, cancellationToken).ConfigureAwait(false);
            return true;
        }
        finally
        {
            LocalClusterLock.Delete(root, cluster);
        }
    }

    /// <summary>Removes whatever exists of the cluster. The caller holds the cluster's lock.</summary>
    internal static async Task RemoveAsync(string cluster, string root, LocalClusterState? state, IProgress<LocalProgress> progress, CancellationToken cancellationToken)
    {
        var stateDirectory = LocalClusterLayout.StateDirectoryFor(root, cluster);
        var failures = new List<string>();

        // 1. Processes we started, identified by PID and start time.
        if (state is { Processes.Count: > 0 })
        {
            await ProcessTerminator.TerminateAsync(state.Processes, AgentGrace).ConfigureAwait(false);
            progress.Report(new LocalProgress($"stopped {state.Processes.Count} process(es)"));
        }

        // 2. Network namespaces: anything still running inside one of ours is ours; then delete.
        var namespaces = new SortedSet<string>(await ListClusterNamespacesAsync(cluster, cancellationToken).ConfigureAwait(false), StringComparer.Ordinal);
        foreach (var name in namespaces)
        {
            var pids = await HostCommand.TryRunAsync("ip", ["netns", "pids", name], cancellationToken).ConfigureAwait(false);
            foreach (var line in pids.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (int.TryParse(line, out var pid))
                {
                    ProcessTerminator.Kill(pid);
                }
            }

            var deleted = await HostCommand.TryRunAsync("ip", ["netns", "delete", name], cancellationToken).ConfigureAwait(false);
            if (deleted.ExitCode != 0)
            {
                failures.Add($"network namespace {name}: {deleted.StandardError.Trim()}");
            }
        }

        if (namespaces.Count > 0)
        {
            progress.Report(new LocalProgress($"deleted {namespaces.Count} network namespace(s)"));
        }

        // 3. Mounts under the state directory (mount namespace files, the private ns directory), deepest first.
        var mounts = MountsUnder(stateDirectory);
        foreach (var mount in mounts)
        {
            var result = await HostCommand.TryRunAsync("umount", [mount], cancellationToken).ConfigureAwait(false);
            if (result.ExitCode != 0)
            {
                result = await HostCommand.TryRunAsync("umount", ["--lazy", mount], cancellationToken).ConfigureAwait(false);
            }

            if (result.ExitCode != 0)
            {
                failures.Add($"mount {mount}: {result.StandardError.Trim()}");
            }
        }

        if (mounts.Count > 0)
        {
            progress.Report(new LocalProgress($"unmounted {mounts.Count} mount(s)"));
        }

        // 4. Directories up created outside the state directory: the data directory, the mount point.
        //    A mount point may be in use by another local cluster (in its own mount namespaces):
        //    removing it would detach their mounts, so it stays while any other cluster exists.
        var others = Directory.Exists(root) && Directory.GetDirectories(root).Any(d => Path.GetFileName(d) != cluster);
        foreach (var journaled in state?.Directories ?? [])
        {
            // A journal written before up kept to its own data directory may name the shared data root.
            var directory = IsSameOrAbove(journaled, LocalClusterLayout.DefaultDataRoot) ? Path.Combine(LocalClusterLayout.DefaultDataRoot, cluster) : journaled;
            var mountPoint = state!.Cluster.Spec.Filesystem?.MountPath ?? Ssi.Api.V1Alpha1.SsiFilesystemSpec.DefaultMountPath;
            if (!Directory.Exists(directory) || (others && IsSameOrAbove(directory, mountPoint)))
            {
                continue;
            }

            try
            {
                Directory.Delete(directory, recursive: !IsSameOrAbove(directory, mountPoint));
                progress.Report(new LocalProgress($"removed {directory}"));
            }
            catch (IOException e)
            {
                failures.Add($"directory {directory}: {e.Message}");
            }
        }

        // 5. Files: only once nothing is mounted beneath them.
        if (MountsUnder(stateDirectory).Count == 0 && Directory.Exists(stateDirectory))
        {
            Directory.Delete(stateDirectory, recursive: true);
            progress.Report(new LocalProgress($"removed {stateDirectory}"));
        }

        if (failures.Count > 0)
        {
            throw new LocalClusterException($"could not remove everything of cluster {cluster}:{Environment.NewLine}  " + string.Join(Environment.NewLine + "  ", failures));
        }
    }

    internal static bool IsSameOrAbove(string directory, string path) =>
        path == directory || path.StartsWith(directory.TrimEnd('/') + "/", StringComparison.Ordinal);

    /// <summary>Network namespace names of the cluster: "ssi.CLUSTER" and "ssi.CLUSTER.NODE".</summary>
    public static async Task<IReadOnlyList<string>> ListClusterNamespacesAsync(string cluster, CancellationToken cancellationToken)
    {
        var own = LocalClusterLayout.NamespacePrefix + cluster;
        var result = await HostCommand.TryRunAsync("ip", ["netns", "list"], cancellationToken).ConfigureAwait(false);
        return ParseNamespaceList(result.StandardOutput)
            .Where(n => n == own || n.StartsWith(own + ".", StringComparison.Ordinal))
            .ToList();
    }

    /// <summary>Names from `ip netns list` output ("name" or "name (id: N)" per line).</summary>
    public static IEnumerable<string> ParseNamespaceList(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split(' ', 2)[0]);

    /// <summary>Mount points at or below <paramref name="directory"/>, deepest first.</summary>
    public static IReadOnlyList<string> MountsUnder(string directory)
    {
        var prefix = directory.TrimEnd('/');
        return File.ReadLines("/proc/self/mountinfo")
            .Select(ParseMountPoint)
            .Where(m => m == prefix || m.StartsWith(prefix + "/", StringComparison.Ordinal))
            .Distinct()
            .OrderByDescending(m => m.Length)
            .ToList();
    }

    /// <summary>Field 5 of a mountinfo line, with the kernel's octal escapes (\040 for a space) undone.</summary>
    public static string ParseMountPoint(string mountInfoLine)
    {
        var field = mountInfoLine.Split(' ')[4];
        var text = new StringBuilder(field.Length);
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && IsOctal(field, i + 1))
            {
                text.Append((char)Convert.ToInt32(field.Substring(i + 1, 3), 8));
                i += 3;
            }
            else
            {
                text.Append(field[i]);
            }
        }

        return text.ToString();
    }

    private static bool IsOctal(string s, int start) =>
        start + 3 <= s.Length && s.Substring(start, 3).All(c => c is >= '0' and <= '7');
}
