using System.Text.RegularExpressions;

namespace Ssi.Agent.Migration.Landing;

/// <summary>
/// The pod and container a process runs in, as the kubelet names its cgroup: a <c>pod&lt;UID&gt;</c>
/// level (systemd driver: <c>kubepods-burstable-pod&lt;UID with _&gt;.slice</c>) and under it the
/// container's id (systemd driver: <c>cri-containerd-&lt;ID&gt;.scope</c>, <c>crio-…</c>, <c>docker-…</c>).
/// </summary>
internal sealed partial record PodCgroup(string PodUid, string ContainerId, string CgroupPath)
{
    /// <summary>From the text of <c>/proc/PID/cgroup</c> (v2 line <c>0::PATH</c> first, else any v1 hierarchy); null outside a pod.</summary>
    public static PodCgroup? Parse(string procCgroup)
    {
        var paths = procCgroup.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split(':', 3))
            .Where(parts => parts.Length == 3)
            .OrderBy(parts => parts[0] == "0" && parts[1].Length == 0 ? 0 : 1)
            .Select(parts => parts[2]);
        foreach (var path in paths)
        {
            if (PodLevel().Match(path) is { Success: true } match)
            {
                return new PodCgroup(match.Groups["uid"].Value.Replace('_', '-'), match.Groups["id"].Value, path);
            }
        }

        return null;
    }

    /// <summary>The pod of a process of this node, or null (not in a pod, or gone).</summary>
    public static PodCgroup? Of(int pid)
    {
        try
        {
            return Parse(File.ReadAllText($"/proc/{pid}/cgroup"));
        }
        catch (IOException)
        {
            return null;
        }
    }

    [GeneratedRegex(@"/(?:[a-z-]*-)?pod(?<uid>[0-9a-f]{8}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{12})(?:\.slice)?/(?:(?:cri-containerd|crio|docker)-)?(?<id>[0-9a-f]{64})(?:\.scope)?(?:/|$)")]
    private static partial Regex PodLevel();
}
