using System.Globalization;

namespace Ssi.Agent.Hosting;

/// <summary>
/// The ports an agent takes beside its gRPC port: the home's filesystem links (port + 1,
/// Filesystem:LinkPort) and every agent's bulk links for relays and images (port + 2, Agent:BulkPort).
/// A configured port wins; other agents are assumed to use the same ones.
/// </summary>
internal static class AgentPorts
{
    public const int FilesystemLinkOffset = 1;
    public const int BulkLinkOffset = 2;

    /// <summary>The port to listen on; 0 (any) when the agent itself took any port (tests).</summary>
    public static int Listen(int agentPort, int configured, int offset) => configured != 0 ? configured : agentPort == 0 ? 0 : agentPort + offset;

    /// <summary>host:port of another agent's side port, from that agent's gRPC host:port.</summary>
    public static string Target(string agentEndpoint, int configured, int offset)
    {
        var (host, port) = Split(agentEndpoint);
        return $"{host}:{(configured != 0 ? configured : port + offset).ToString(CultureInfo.InvariantCulture)}";
    }

    /// <summary>host and port of host:port (an IPv6 host keeps its brackets).</summary>
    public static (string Host, int Port) Split(string endpoint)
    {
        ArgumentException.ThrowIfNullOrEmpty(endpoint);
        var colon = endpoint.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(endpoint.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port))
        {
            throw new ArgumentException($"the endpoint \"{endpoint}\" is not host:port", nameof(endpoint));
        }

        return (endpoint[..colon], port);
    }
}
