using System.Globalization;

namespace Ssi.Agent.Filesystem.Forwarding;

/// <summary>Where the home takes filesystem links and where the other nodes find them (Filesystem:LinkPort, default the agent's port + 1).</summary>
internal static class LinkEndpoints
{
    /// <summary>The port the home listens on; 0 (any) when the agent itself took any port (tests).</summary>
    public static int ListenPort(int agentPort, int linkPort) => linkPort != 0 ? linkPort : agentPort == 0 ? 0 : agentPort + 1;

    /// <summary>host:port of the home's links, from the home agent's host:port.</summary>
    public static string Target(string homeEndpoint, int linkPort)
    {
        ArgumentException.ThrowIfNullOrEmpty(homeEndpoint);
        var colon = homeEndpoint.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(homeEndpoint.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port))
        {
            throw new ArgumentException($"the home endpoint \"{homeEndpoint}\" is not host:port", nameof(homeEndpoint));
        }

        return $"{homeEndpoint[..colon]}:{(linkPort != 0 ? linkPort : port + 1).ToString(CultureInfo.InvariantCulture)}";
    }
}
