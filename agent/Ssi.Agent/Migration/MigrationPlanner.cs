using Microsoft.Extensions.Options;
using Ssi.Agent.Contracts.Processes;
using Ssi.Agent.Contracts.V1;
using Ssi.Agent.Devices;
using Ssi.Agent.Filesystem;
using Ssi.Agent.Hosting;
using Ssi.Agent.Migration.Landing;
using Ssi.Agent.Migration.Planning;
using Ssi.Agent.Migration.Relay;
using Ssi.Agent.Native;
using Ssi.Agent.Native.Processes;
using Ssi.Agent.Processes;

namespace Ssi.Agent.Migration;

/// <summary>Builds the plan of a workload of this node: its processes and what happens to each descriptor.</summary>
internal sealed class MigrationPlanner(
    ProcessTable table,
    StandInRegistry standIns,
    AgentIdentity identity,
    IOptions<FilesystemOptions> filesystem,
    DeviceExportTable exports,
    IOptions<DevicesOptions> devices)
{
    public StandIn? FindStandIn(string key) => standIns.Find(key);

    public (MigrationPlan Plan, Workload Workload, IReadOnlyList<int> Pids, IReadOnlyList<PlannedFd> Fds, ContainerFilesystem? Container) Plan(ClusterPid cpid)
    {
        var workload = table.FindWorkload(cpid)
            ?? throw new KeyNotFoundException($"no process with cluster PID {cpid} on node {identity.Node}");
        if (workload.ShimPid is not { } shim || workload.RootClusterPid is not { } root)
        {
            throw new MigrationException($"workload of {cpid} is still starting");
        }

        var pids = ProcessTree.WithDescendants(shim);
        var descriptors = WorkloadInspector.Descriptors(pids);
        var sockets = descriptors.Any(d => d.Link.StartsWith("socket:", StringComparison.Ordinal))
            ? SocketTables.Read()
            : new Dictionary<ulong, SocketInfo>();
        var deviceContext = new DeviceContext(exports.Resolve().Select(e => e.Path).ToHashSet(StringComparer.Ordinal), devices.Value.MountPath);
        var fds = DescriptorClassifier.Classify(descriptors, filesystem.Value.MountPath, sockets, deviceContext);
        var container = ContainerInspector.Of(shim);
        if (container is not null)
        {
            // A process in a container: its files come back in the landing container's root and volumes.
            var layers = ContainerInspector.Layers(container);
            fds = fds.Select(f => ContainerFiles.Refine(f, container, layers?.Layer, layers?.Exists ?? (_ => false))).ToList();
        }

        var plan = new MigrationPlan { Node = identity.Node, RootClusterPid = root.Value };
        long memory = 0;
        foreach (var pid in pids)
        {
            var tracked = table.FindByHostPid(pid);
            plan.Processes.Add(new PlannedProcess
            {
                ClusterPid = tracked?.ClusterPid?.Value ?? 0,
                NamespacePid = ProcFiles.NamespacePid(pid),
                Command = ProcStat.Read(pid)?.Command ?? "?",
                HostPid = pid,
            });
            memory += (ProcStat.Read(pid)?.RssPages ?? 0) * Environment.SystemPageSize;
        }

        plan.MemoryBytes = memory;
        foreach (var fd in fds)
        {
            var entry = new PlannedDescriptor
            {
                ClusterPid = table.FindByHostPid(fd.Descriptor.HostPid)?.ClusterPid?.Value ?? 0,
                NamespacePid = fd.Descriptor.NamespacePid,
                Fd = fd.Descriptor.Fd,
                Kind = fd.Kind,
                Action = fd.Action,
                Target = fd.Descriptor.Link,
                Reason = fd.Reason,
                Key = fd.Key,
                Direction = fd.Direction,
                Flags = fd.Descriptor.Flags,
                TcpRepair = fd.TcpRepair,
            };
            if (fd.Action == DescriptorKinds.StayHome && fd.Kind == DescriptorKinds.Device)
            {
                // Served by the devices feature: the target opens this node's remote device file.
                var remote = DescriptorClassifier.IsBeneath(fd.Descriptor.Link, devices.Value.MountPath)
                    ? fd.Descriptor.Link[(devices.Value.MountPath.TrimEnd('/').Length + 1)..].Split('/')
                    : null;
                entry.HomeNode = remote is { Length: 2 } ? remote[0] : identity.Node;
                entry.HomeEndpoint = remote is null ? identity.Endpoint : "";
                entry.ObjectId = remote is { Length: 2 } ? remote[1] : DeviceExportTable.NameOf(fd.Descriptor.Link);
            }
            else if (fd.Action == DescriptorKinds.StayHome)
            {
                var standIn = standIns.Find(fd.Key);
                entry.HomeNode = standIn?.HomeNode ?? identity.Node;
                entry.HomeEndpoint = standIn?.HomeEndpoint ?? identity.Endpoint;
                entry.ObjectId = standIn?.ObjectId ?? "";
                if (standIn is not null)
                {
                    entry.Reason = $"relayed to its home on {standIn.HomeNode} (this node only relayed it)";
                }
            }

            plan.Descriptors.Add(entry);
        }

        plan.Blocked = fds.Any(f => f.IsBlocker);
        plan.OwnNetwork = pids.Count > 0 && OwnNetworkOf(pids[0]) is not null;
        if (container is not null)
        {
            plan.Container = new PlannedContainer { RootType = container.Root.Type };
            plan.Container.ExternalMounts.AddRange(container.ExternalMountPoints);
        }

        return (plan, workload, pids, fds, container);
    }

    /// <summary>The inode of the workload's network namespace when it is not this node's (a pod's), else null.</summary>
    public static ulong? OwnNetworkOf(int shimPid)
    {
        var network = NamespaceInode.Of($"/proc/{shimPid}/ns/net");
        return network == NamespaceInode.Of("/proc/self/ns/net") ? null : network;
    }
}
