using System.Globalization;

namespace Ssi.Agent.Migration.Landing;

/// <summary>
/// Puts a restored tree in the cgroups of its landing placeholder (a landing pod's container), in
/// every hierarchy, once criu has restored it stopped. criu's own <c>--cgroup-root</c> does not do
/// it for a tree that was in criu's cgroup at dump time (its cgroups are then not in the images).
/// </summary>
internal static class LandingCgroups
{
    public const string Root = "/sys/fs/cgroup";

    /// <summary>
    /// The <c>cgroup.procs</c> files of the cgroups a <c>/proc/PID/cgroup</c> text names, below
    /// <paramref name="root"/>: a v1 hierarchy is mounted at its controllers' names (<c>name=systemd</c>
    /// at <c>systemd</c>), cgroup v2 at the root itself or, on hybrid machines, at <c>unified</c>.
    /// Hierarchies <paramref name="exists"/> does not find, and root cgroups, are left out. Pure.
    /// </summary>
    public static IReadOnlyList<string> ProcsFiles(string procCgroup, string root, Func<string, bool> exists)
    {
        var files = new List<string>();
        foreach (var line in procCgroup.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = line.Split(':', 3);
            if (parts.Length != 3 || parts[2] is "/" || parts[2].Contains("..", StringComparison.Ordinal))
            {
                continue;
            }

            var mounts = parts[1].Length == 0 ? new[] { root, Path.Combine(root, "unified") } : [Path.Combine(root, parts[1].Replace("name=", "", StringComparison.Ordinal))];
            if (mounts.FirstOrDefault(m => exists(Path.Combine(m, "cgroup.procs"))) is { } mount)
            {
                files.Add(mount + parts[2] + "/cgroup.procs");
            }
        }

        return files;
    }

    /// <summary>Moves every task of <paramref name="pids"/> into the cgroups <paramref name="placeholderPid"/> is in.</summary>
    public static void Join(int placeholderPid, IEnumerable<int> pids)
    {
        var files = ProcsFiles(File.ReadAllText($"/proc/{placeholderPid}/cgroup"), Root, File.Exists);
        foreach (var pid in pids)
        {
            foreach (var file in files)
            {
                try
                {
                    File.WriteAllText(file, pid.ToString(CultureInfo.InvariantCulture));
                }
                catch (IOException e)
                {
                    throw new MigrationException($"cannot move task {pid} into the landing cgroup {Path.GetDirectoryName(file)}: {e.Message}");
                }
            }
        }
    }
}
