using System.Text;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Ssi.Api.V1Alpha1;
using Ssi.Orchestration.Agents;
using Ssi.Orchestration.Certificates;
using Ssi.Orchestration.CommandLine;

namespace Ssi.Kubectl.Commands;

/// <summary>
/// Where the agents of one SsiCluster are and how to prove we may talk to them, read from the API
/// server: the agent pods (one per node) and the cluster CA Secret, with which a client certificate
/// valid for <see cref="CertificateValidity"/> is signed in memory (never written anywhere). Through
/// <see cref="AgentRoute.ApiServer"/> every connection to an agent is a port-forward of its pod made by
/// <paramref name="client"/>, which must then outlive the connector; a node given by
/// <c>--agent-endpoint</c> is always dialled at that address.
/// </summary>
internal sealed class AgentDirectory(Kubernetes client, V1Alpha1SsiCluster cluster)
{
    public static readonly TimeSpan CertificateValidity = TimeSpan.FromHours(1);

    public async Task<EndpointAgentConnector> ConnectAsync(IReadOnlyDictionary<string, string> overrides, AgentRoute route, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var name = cluster.Metadata.Name;
        var ns = cluster.Metadata.NamespaceProperty;
        var authority = await ReadAuthorityAsync(cancellationToken).ConfigureAwait(false);
        var pods = await client.CoreV1.ListNamespacedPodAsync(
            ns,
            labelSelector: $"{SsiClusterNames.NameLabel}={SsiClusterNames.AgentComponent},{SsiClusterNames.InstanceLabel}={name}",
            cancellationToken: cancellationToken).ConfigureAwait(false);
        var (nodes, endpoints) = Endpoints(cluster, pods.Items, overrides);
        var credentials = ClientCredentials.Issue(authority, $"kubectl-ssi.{name}", now, CertificateValidity);
        var podByNode = AgentPods(pods.Items);
        var port = AgentPort(cluster);
        return new EndpointAgentConnector(nodes, endpoints, SsiClusterNames.ServiceDns(name, ns), credentials, route == AgentRoute.PodIp ? null : node =>
            overrides.ContainsKey(node) || !podByNode.TryGetValue(node, out var pod)
                ? null
                : async (_, cancellationToken) => await PortForwardStream.OpenAsync(client, ns, pod.Metadata.Name, port, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// The cluster's nodes in index order (<c>spec.nodes</c>; the agent pods' nodes when the cluster
    /// selects nodes by label) and each one's agent address: the override, else its running agent pod.
    /// </summary>
    public static (IReadOnlyList<string> Nodes, IReadOnlyDictionary<string, string> Endpoints) Endpoints(
        V1Alpha1SsiCluster cluster, IEnumerable<V1Pod> pods, IReadOnlyDictionary<string, string> overrides)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var port = AgentPort(cluster);
        var endpoints = AgentPods(pods).ToDictionary(p => p.Key, p => EndpointAgentConnector.Endpoint(p.Value.Status.PodIP, port), StringComparer.Ordinal);
        foreach (var (node, endpoint) in overrides)
        {
            endpoints[node] = endpoint;
        }

        IReadOnlyList<string> nodes = cluster.Spec.Nodes is { Count: > 0 } listed
            ? listed.Select(n => n.Name).ToList()
            : endpoints.Keys.Order(StringComparer.Ordinal).ToList();
        return (nodes, endpoints);
    }

    private static int AgentPort(V1Alpha1SsiCluster cluster) => cluster.Spec.Agent?.Port ?? SsiAgentSpec.DefaultPort;

    /// <summary>Each node's agent pod: one that is scheduled, has an IP and is not being deleted.</summary>
    private static Dictionary<string, V1Pod> AgentPods(IEnumerable<V1Pod> pods) => pods
        .Where(p => p.Metadata.DeletionTimestamp is null && !string.IsNullOrEmpty(p.Spec?.NodeName) && !string.IsNullOrEmpty(p.Status?.PodIP))
        .GroupBy(p => p.Spec.NodeName, StringComparer.Ordinal)
        .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);

    private async Task<CertificateFiles> ReadAuthorityAsync(CancellationToken cancellationToken)
    {
        var secret = SsiClusterNames.CaSecret(cluster.Metadata.Name);
        V1Secret ca;
        try
        {
            ca = await client.CoreV1.ReadNamespacedSecretAsync(secret, cluster.Metadata.NamespaceProperty, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException e)
        {
            throw new ClusterConnectionException(
                $"cannot read Secret {cluster.Metadata.NamespaceProperty}/{secret} ({(int)e.Response.StatusCode} {e.Response.ReasonPhrase}): ps, kill and run sign a short-lived client certificate with the cluster CA and need `get` on that Secret", e);
        }

        return ca.Data is { } data && data.TryGetValue("ca.crt", out var cert) && data.TryGetValue("ca.key", out var key)
            ? new CertificateFiles(Encoding.UTF8.GetString(cert), Encoding.UTF8.GetString(key))
            : throw new ClusterConnectionException($"Secret {cluster.Metadata.NamespaceProperty}/{secret} has no ca.crt and ca.key yet (has the operator reconciled {cluster.Metadata.Name}?)");
    }
}
