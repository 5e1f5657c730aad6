using Ssi.Cli.Local;

namespace Ssi.Cli.Commands;

/// <summary>One node in <c>ssi local status -o json</c>.</summary>
internal sealed record NodeStatusJson(
    string Name,
    int Index,
    string Address,
    string NetworkNamespace,
    int? AgentPid,
    bool AgentRunning,
    bool Healthy,
    bool Reachable,
    string Message,
    string? AgentVersion,
    string? Criu,
    bool? Fuse,
    FilesystemStatusJson? Filesystem)
{
    public static NodeStatusJson From(LocalNodeReport n, int agentPort) => new(
        n.Layout.Name,
        n.Layout.Index,
        $"{n.Layout.Address}:{agentPort}",
        n.Layout.NetworkNamespace,
        n.AgentPid,
        n.AgentRunning,
        n.Health.Healthy,
        n.Health.Reachable,
        n.Health.Message,
        n.Health.Info?.AgentVersion,
        n.Health.Info?.Capabilities?.Criu?.Version,
        n.Health.Info?.Capabilities?.Fuse?.Available,
        n.Health.Info?.Filesystem is { } fs ? new FilesystemStatusJson(fs.MountPath, fs.Role, fs.Mounted, fs.Passthrough, fs.Message) : null);
}
