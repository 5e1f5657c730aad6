using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Ssi.Agent.Hosting;
using Ssi.Agent.Migration.Landing;
using Ssi.Agent.Native;

namespace Ssi.Agent.Processes;

/// <summary>
/// Finds the workloads of this node's pods: shims a container runtime started as a container's init
/// (<see cref="ContainerShim"/>), not the agent. Each one found joins the process table like a
/// workload the agent started (the command and what it forks get cluster PIDs), so it is listed,
/// signalled and migrated the same way. They are found when the kernel reports an exec of the
/// shim, and by a walk of /proc when the agent starts and when events were lost.
/// </summary>
internal sealed class ContainerWorkloads(ProcessTable table, IOptions<AgentOptions> options, ILogger<ContainerWorkloads> logger)
{
    /// <summary>An exec the kernel reported: a process of no workload that became a container's shim joins the table.</summary>
    public void OnExec(int tgid)
    {
        if (table.FindByHostPid(tgid) is null)
        {
            Consider(tgid);
        }
    }

    /// <summary>Every container shim of the node that the table does not have yet.</summary>
    public void DiscoverAll()
    {
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && table.FindByHostPid(pid) is null)
            {
                Consider(pid);
            }
        }
    }

    private void Consider(int pid)
    {
        string command;
        try
        {
            command = File.ReadAllText(string.Create(CultureInfo.InvariantCulture, $"/proc/{pid}/comm"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return; // gone
        }

        // A stopped shim is a tree a migration restored here and is about to adopt with its cluster PIDs.
        if (command.TrimEnd('\n') != ContainerShim.Command || ProcStat.Read(pid) is not { State: not 'T' }
            || !ContainerShim.Matches(command, pid, ProcFiles.NamespacePid(pid), ProcFiles.HasOwnRoot(pid), PodCgroup.Of(pid)?.CgroupPath, options.Value.PodCgroupRoot))
        {
            return;
        }

        if (table.AdoptContainer(pid) is { } workload)
        {
            ProcessLog.ContainerWorkloadFound(logger, pid, PodCgroup.Of(pid)?.ContainerId ?? "", workload.RootClusterPid?.Value ?? 0);
        }
    }
}
