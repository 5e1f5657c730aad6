using System.Globalization;

namespace Ssi.Agent.Migration.Checkpoint;

/// <summary>Command lines of criu for one migration step (pure; see docs/migration.md for why each option).</summary>
internal static class CriuArguments
{
    /// <summary>Unlinked-but-open files travel inside the images up to this size.</summary>
    private const string GhostLimit = "256M";

    /// <summary>
    /// Dump of a workload's whole PID-namespace tree, left stopped so that a failure later resumes it.
    /// criu runs in the node's network and mount namespaces, so neither is dumped; the workload's own
    /// PID and IPC namespaces are. Terminals that stay on this node are declared external.
    /// </summary>
    public static IReadOnlyList<string> Dump(int shimPid, string imageDirectory, IEnumerable<string> externalTtys, bool externalUnixSockets)
    {
        var args = new List<string>
        {
            "dump", "-t", shimPid.ToString(CultureInfo.InvariantCulture), "-D", imageDirectory,
            "--leave-stopped", "--network-lock", "skip", "--ghost-limit", GhostLimit, "--file-locks",
            "-o", "dump.log", "-v2",
        };
        foreach (var tty in externalTtys.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            args.Add("--external");
            args.Add(tty);
        }

        if (externalUnixSockets)
        {
            args.Add("--ext-unix-sk");
        }

        return args;
    }

    /// <summary>
    /// Restore, detached and left stopped until the coordinator commits. Each stand-in is passed as
    /// <c>--inherit-fd fd[N]:KEY</c> with N the descriptor number criu inherits it on.
    /// </summary>
    public static IReadOnlyList<string> Restore(string imageDirectory, string pidFile, IEnumerable<(int Fd, string Key)> inherited, bool externalUnixSockets)
    {
        var args = new List<string>
        {
            "restore", "-D", imageDirectory, "-d", "--leave-stopped", "--pidfile", pidFile, "--file-locks",
            "-o", "restore.log", "-v2",
        };
        foreach (var (fd, key) in inherited.OrderBy(i => i.Fd))
        {
            args.Add("--inherit-fd");
            args.Add(string.Create(CultureInfo.InvariantCulture, $"fd[{fd}]:{key}"));
        }

        if (externalUnixSockets)
        {
            args.Add("--ext-unix-sk");
        }

        return args;
    }
}
