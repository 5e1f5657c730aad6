using Grpc.Core;
using k8s.Models;
using Ssi.Agent.Contracts.V1;
using Ssi.Agent.Contracts.Security;
using Ssi.Api.V1Alpha1;
using Ssi.Controller.Runtime.Client;
using Ssi.Controller.Runtime.Informers;
using Ssi.Operator.Hosting;
using Ssi.Orchestration.Agents;
using Ssi.Orchestration.Certificates;
using Ssi.Orchestration.Processes;

namespace Ssi.Operator.Agents;

/// <summary>The agents of a cluster found from their pods (informer cache) and probed with <see cref="NodeHealthProbe"/>.</summary>
internal sealed class KubernetesAgentFleet(Informer<V1Pod> pods, Informer<V1Secret> secrets, OperatorOptions options, TimeProvider time) : IAgentFleet
{
    public async Task<IReadOnlyList<NodeHealth>> ProbeAsync(V1Alpha1SsiCluster cluster, CancellationToken cancellationToken)
    {
        var agents = AgentPods(cluster);
        var missing = (cluster.Spec.Nodes ?? []).Select(n => n.Name).Where(n => !agents.ContainsKey(n))
            .Select(n => new NodeHealth(n, false, false, "No agent pod runs on this node.", null)).ToList();
        using var connector = CreateConnector(cluster);
        if (connector is null)
        {
            return missing;
        }

        var probed = await NodeHealthProbe.ProbeAllAsync(connector, options.AgentProbeTimeout, cancellationToken).ConfigureAwait(false);
        return [.. probed, .. missing];
    }

    /// <summary>A connector to the cluster's agent pods, or null while there are none or no CA yet.</summary>
    public EndpointAgentConnector? CreateConnector(V1Alpha1SsiCluster cluster)
    {
        var agents = AgentPods(cluster);
        if (agents.Count == 0 || Credentials(cluster) is not { } credentials)
        {
            return null;
        }

        var port = cluster.Spec.Agent?.Port ?? SsiAgentSpec.DefaultPort;
        return new EndpointAgentConnector(
            agents.Keys.Order(StringComparer.Ordinal).ToList(),
            agents.ToDictionary(a => a.Key, a => EndpointAgentConnector.Endpoint(a.Value, port), StringComparer.Ordinal),
            SsiClusterNames.ServiceDns(cluster.Metadata.Name, cluster.Metadata.NamespaceProperty),
            credentials);
    }

    public async Task<AgentCleanupReport> CleanupAsync(V1Alpha1SsiCluster cluster, CancellationToken cancellationToken)
    {
        var agents = AgentPods(cluster);
        var missing = (cluster.Spec.Nodes ?? []).Select(n => n.Name).Where(n => !agents.ContainsKey(n))
            .Select(n => new UnreachableNode(n, "No agent pod runs on this node.")).ToList();
        using var connector = CreateConnector(cluster);
        if (connector is null)
        {
            return new AgentCleanupReport([], [.. missing, .. agents.Keys.Select(n => new UnreachableNode(n, "No CA Secret to reach its agent with."))]);
        }

        var answers = await Task.WhenAll(connector.Nodes.Select(async node =>
        {
            try
            {
                var response = await new Node.NodeClient(connector.ChannelFor(node))
                    .CleanupAsync(new CleanupRequest(), deadline: time.GetUtcNow().UtcDateTime + options.CleanupTimeout, cancellationToken: cancellationToken).ConfigureAwait(false);
                return (node, Failure: response.Failures.Count == 0 ? null : string.Join(" ", response.Failures));
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.Cancelled or StatusCode.DeadlineExceeded)
            {
                return (node, Failure: $"did not answer within {options.CleanupTimeout.TotalSeconds:0} s");
            }
            catch (RpcException e)
            {
                return (node, Failure: AgentCallErrors.Describe(e));
            }
        })).ConfigureAwait(false);
        return new AgentCleanupReport(
            answers.Where(a => a.Failure is null).Select(a => a.node).ToList(),
            [.. answers.Where(a => a.Failure is not null).Select(a => new UnreachableNode(a.node, a.Failure!)), .. missing]);
    }

    private Dictionary<string, string> AgentPods(V1Alpha1SsiCluster cluster) =>
        pods.List()
            .Where(p => p.Metadata.NamespaceProperty == cluster.Metadata.NamespaceProperty
                && (p.Metadata.Labels is { } labels && labels.TryGetValue(SsiClusterNames.InstanceLabel, out var instance) ? instance : null) == cluster.Metadata.Name
                && p.Metadata.DeletionTimestamp is null
                && !string.IsNullOrEmpty(p.Spec?.NodeName) && !string.IsNullOrEmpty(p.Status?.PodIP))
            .GroupBy(p => p.Spec.NodeName, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().Status.PodIP, StringComparer.Ordinal);

    /// <summary>The operator's client credentials for a cluster, issued once per CA (by its certificate) and kept.</summary>
    private AgentCredentials? Credentials(V1Alpha1SsiCluster cluster)
    {
        var ca = secrets.Get(new ObjectKey(cluster.Metadata.NamespaceProperty, SsiClusterNames.CaSecret(cluster.Metadata.Name)));
        if (ca?.Data is not { } data || !data.TryGetValue("ca.crt", out var cert) || !data.TryGetValue("ca.key", out var key))
        {
            return null;
        }

        var caPem = System.Text.Encoding.UTF8.GetString(cert);
        var cacheKey = ObjectKey.Of(cluster).ToString();
        if (_credentials.TryGetValue(cacheKey, out var cached) && cached.CaPem == caPem && cached.Credentials.Certificate.NotAfter.ToUniversalTime() - time.GetUtcNow().UtcDateTime > options.CertificateRenewBefore)
        {
            return cached.Credentials;
        }

        var credentials = ClientCredentials.Issue(
            new CertificateFiles(caPem, System.Text.Encoding.UTF8.GetString(key)), "ssi-operator", time.GetUtcNow(), ClusterCertificateAuthority.LeafValidity);
        _credentials[cacheKey] = (caPem, credentials);
        return credentials;
    }

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (string CaPem, AgentCredentials Credentials)> _credentials = new(StringComparer.Ordinal);
}
