using System.Globalization;
using Ssi.Agent.Contracts.V1;

namespace Ssi.Agent.Migration.Landing;

/// <summary>Finds the placeholder a Restore request names, on this node.</summary>
internal static class LandingLocator
{
    public static LandingPlaceholder Find(LandingTarget target)
    {
        if (target.Pid > 0)
        {
            return Directory.Exists($"/proc/{target.Pid}")
                ? new LandingPlaceholder(target.Pid)
                : throw new MigrationException($"the landing placeholder (pid {target.Pid}) does not run on this node");
        }

        if (target.ContainerId.Length == 0)
        {
            throw new MigrationException("a landing target needs a container id or a pid");
        }

        // The container's first process (lowest PID) is its init: the placeholder command.
        foreach (var pid in Pids().Order())
        {
            if (PodCgroup.Of(pid) is { } pod && pod.ContainerId == target.ContainerId)
            {
                return new LandingPlaceholder(pid);
            }
        }

        throw new MigrationException($"no process of container {target.ContainerId} runs on this node (is the landing pod running here?)");
    }

    private static IEnumerable<int> Pids() =>
        Directory.EnumerateDirectories("/proc")
            .Select(d => int.TryParse(Path.GetFileName(d), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : 0)
            .Where(pid => pid > 0);
}
