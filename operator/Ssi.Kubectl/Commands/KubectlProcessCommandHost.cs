using System.CommandLine;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Spectre.Console;
using Ssi.Api.V1Alpha1;
using Ssi.Orchestration.Agents;
using Ssi.Orchestration.CommandLine;

namespace Ssi.Kubectl.Commands;

/// <summary>
/// `kubectl ssi ps/kill/run`: finds the SsiCluster, its agent pods and its CA through the API
/// server, then talks to the agents over mutual TLS with a short-lived client certificate signed in
/// memory by the cluster CA, through port-forwards of the agent pods made by the API server
/// (<c>--agent-route api-server</c>, the default outside a pod), at their pod IPs (<c>pod-ip</c>, the
/// default inside one) or at <c>--agent-endpoint NODE=HOST:PORT</c>.
/// </summary>
internal sealed class KubectlProcessCommandHost(KubeOptions kube, IAnsiConsole console) : IProcessCommandHost
{
    private readonly Option<string?> _cluster = new("--cluster", "-c") { Description = "The SsiCluster (default: the only one in the namespace)." };

    private readonly Option<string[]> _endpoints = new("--agent-endpoint")
    {
        Description = "NODE=HOST:PORT: dial that node's agent there, whatever --agent-route says (e.g. behind your own `kubectl port-forward`); repeatable.",
        AllowMultipleArgumentsPerToken = false,
    };

    private readonly Option<string?> _route = CreateRouteOption();

    public IAnsiConsole Console => console;

    /// <summary><c>-n</c> is kubectl's namespace.</summary>
    public string? NodeShortAlias => null;

    public void AddClusterOptions(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.Options.Add(_cluster);
        command.Options.Add(_endpoints);
        command.Options.Add(_route);
        kube.AddTo(command);
    }

    public async Task<IAgentConnector> ConnectAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parse);
        if (!AgentEndpointOverrides.TryParse(parse.GetValue(_endpoints) ?? [], out var overrides, out var error))
        {
            throw new ClusterConnectionException(error);
        }

        var (client, ns, inCluster) = kube.Connect(parse);
        var route = parse.GetValue(_route) switch
        {
            "api-server" => AgentRoute.ApiServer,
            "pod-ip" => AgentRoute.PodIp,
            _ => inCluster ? AgentRoute.PodIp : AgentRoute.ApiServer,
        };

        // Through the API server, the port-forwards are opened with the client for as long as the command
        // runs (it ends with the process); otherwise it is done with once the agents are found.
        var keepClient = false;
        try
        {
            var cluster = await FindClusterAsync(client, ns, parse.GetValue(_cluster), cancellationToken).ConfigureAwait(false);
            var directory = new AgentDirectory(client, cluster);
            var connector = await directory.ConnectAsync(overrides, route, TimeProvider.System.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            keepClient = route == AgentRoute.ApiServer;
            return connector;
        }
        catch (HttpOperationException e)
        {
            throw new ClusterConnectionException($"the API server refused: {(int)e.Response.StatusCode} {e.Response.ReasonPhrase} ({e.Response.Content})", e);
        }
        finally
        {
            if (!keepClient)
            {
                client.Dispose();
            }
        }
    }

    public int Fail(string message, int exitCode = ExitCodes.Failure)
    {
        console.MarkupLine($"[red]error:[/] {Markup.Escape(message)}");
        return exitCode;
    }

    private static Option<string?> CreateRouteOption()
    {
        var route = new Option<string?>("--agent-route")
        {
            Description = "api-server: port-forward each agent pod through the API server (default outside a pod); pod-ip: dial the pod IPs (default inside a pod, which is in the pod network).",
        };
        route.AcceptOnlyFromAmong("api-server", "pod-ip");
        return route;
    }

    private static async Task<V1Alpha1SsiCluster> FindClusterAsync(Kubernetes client, string ns, string? name, CancellationToken cancellationToken)
    {
        if (name is not null)
        {
            try
            {
                return KubernetesJson.Deserialize<V1Alpha1SsiCluster>(KubernetesJson.Serialize(
                    await client.CustomObjects.GetNamespacedCustomObjectAsync(SsiApiGroup.Group, SsiApiGroup.Version, ns, V1Alpha1SsiCluster.PluralName, name, cancellationToken).ConfigureAwait(false)));
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                throw new ClusterConnectionException($"there is no SsiCluster {name} in namespace {ns}", e);
            }
        }

        var list = KubernetesJson.Deserialize<SsiClusterList>(KubernetesJson.Serialize(
            await client.CustomObjects.ListNamespacedCustomObjectAsync(SsiApiGroup.Group, SsiApiGroup.Version, ns, V1Alpha1SsiCluster.PluralName, cancellationToken: cancellationToken).ConfigureAwait(false)));
        return list.Items.Count switch
        {
            1 => list.Items[0],
            0 => throw new ClusterConnectionException($"there is no SsiCluster in namespace {ns}"),
            _ => throw new ClusterConnectionException($"namespace {ns} has several SsiClusters ({string.Join(", ", list.Items.Select(c => c.Metadata.Name))}); name one with --cluster"),
        };
    }
}
