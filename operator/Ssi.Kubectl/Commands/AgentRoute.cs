namespace Ssi.Kubectl.Commands;

/// <summary>How <c>kubectl ssi ps/kill/run</c> reach the agent pods (<c>--agent-route</c>).</summary>
internal enum AgentRoute
{
    /// <summary>A port-forward through the API server for each connection: works wherever kubectl works.</summary>
    ApiServer,

    /// <summary>TCP to the pod IP: only from inside the pod network, one hop shorter.</summary>
    PodIp,
}
