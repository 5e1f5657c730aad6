using Ssi.Agent.Hosting;

namespace Ssi.Agent.Filesystem.Forwarding;

/// <summary>Where the home takes filesystem links and where the other nodes find them (Filesystem:LinkPort, default the agent's port + 1).</summary>
internal static class LinkEndpoints
{
    /// <summary>The port the home listens on; 0 (any) when the agent itself took any port (tests).</summary>
    public static int ListenPort(int agentPort, int linkPort) => AgentPorts.Listen(agentPort, linkPort, AgentPorts.FilesystemLinkOffset);

    /// <summary>host:port of the home's links, from the home agent's host:port.</summary>
    public static string Target(string homeEndpoint, int linkPort) => AgentPorts.Target(homeEndpoint, linkPort, AgentPorts.FilesystemLinkOffset);
}
