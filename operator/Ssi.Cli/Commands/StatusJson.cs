using System.Text.Json;
using Ssi.Cli.Local;

namespace Ssi.Cli.Commands;

/// <summary>The machine-readable form of <c>ssi local status -o json</c>.</summary>
internal static class StatusJson
{
    public static readonly JsonSerializerOptions Options = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static object From(LocalClusterReport report) => new
    {
        cluster = report.Layout.Cluster,
        phase = report.State.Phase.ToString(),
        healthy = report.Healthy,
        nodes = report.Nodes.Select(n => new
        {
            name = n.Layout.Name,
            index = n.Layout.Index,
            address = $"{n.Layout.Address}:{report.Layout.AgentPort}",
            networkNamespace = n.Layout.NetworkNamespace,
            agentPid = n.AgentPid,
            agentRunning = n.AgentRunning,
            healthy = n.Health.Healthy,
            reachable = n.Health.Reachable,
            message = n.Health.Message,
            agentVersion = n.Health.Info?.AgentVersion,
            criu = n.Health.Info?.Capabilities?.Criu?.Version,
            fuse = n.Health.Info?.Capabilities?.Fuse?.Available,
            filesystem = n.Health.Info?.Filesystem is { } fs
                ? new { mountPath = fs.MountPath, role = fs.Role, mounted = fs.Mounted, passthrough = fs.Passthrough, message = fs.Message }
                : null,
        }),
    };
}
