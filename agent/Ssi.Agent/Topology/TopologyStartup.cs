using Microsoft.Extensions.Configuration;
using Ssi.Agent.Contracts.Topology;
using Ssi.Agent.Hosting;

namespace Ssi.Agent.Topology;

/// <summary>
/// Before an agent builds its services: when <c>Agent:TopologyFile</c> is set, waits until the file
/// names this node (its index is part of every cluster PID the node mints, so the agent cannot start
/// without it), then adds the file to the configuration.
/// </summary>
internal static class TopologyStartup
{
    public static void Apply(IConfigurationManager configuration, TextWriter log, CancellationToken cancellationToken = default)
    {
        var path = configuration[$"{AgentOptions.Section}:{nameof(AgentOptions.TopologyFile)}"];
        var node = configuration[$"{AgentOptions.Section}:{nameof(AgentOptions.Node)}"];
        if (string.IsNullOrEmpty(path) || string.IsNullOrEmpty(node))
        {
            return;
        }

        var seconds = int.TryParse(configuration[$"{AgentOptions.Section}:{nameof(AgentOptions.TopologyPollSeconds)}"], out var s) && s > 0 ? s : AgentOptions.DefaultTopologyPollSeconds;
        WaitForNode(path, node, TimeSpan.FromSeconds(seconds), log, cancellationToken);
        configuration.Add(new TopologyConfigurationSource(path, node, TimeSpan.FromSeconds(seconds)));
    }

    private static void WaitForNode(string path, string node, TimeSpan poll, TextWriter log, CancellationToken cancellationToken)
    {
        var waited = TimeSpan.Zero;
        TimeSpan? reported = null;
        while (true)
        {
            string? problem;
            try
            {
                var topology = ClusterTopology.TryRead(path);
                if (topology?.Find(node) is not null)
                {
                    return;
                }

                problem = topology is null ? $"{path} does not exist yet" : $"{path} does not name node {node} yet";
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
            {
                problem = $"{path}: {e.Message}";
            }

            if (reported is null || waited - reported >= TimeSpan.FromSeconds(30))
            {
                // Before the host exists there is no logger: one plain line, as the console logger would print.
                log.WriteLine($"{DateTime.UtcNow:yyyy-MM-ddTHH:mm:ss.fffZ} info: Ssi.Agent[1009] Waiting for the cluster topology: {problem}");
                reported = waited;
            }

            cancellationToken.WaitHandle.WaitOne(poll);
            cancellationToken.ThrowIfCancellationRequested();
            waited += poll;
        }
    }
}
