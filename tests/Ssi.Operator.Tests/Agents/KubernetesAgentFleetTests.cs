using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging.Abstractions;
using Ssi.Api.V1Alpha1;
using Ssi.Operator.Agents;
using Ssi.Operator.Certificates;
using Ssi.Operator.Hosting;
using Ssi.Testing.FakeApiServer;

namespace Ssi.Operator.Tests.Agents;

/// <summary>
/// The operator's way to its agents, for real: agent pods found in the API, mTLS with a client
/// certificate from the cluster CA, the agent's certificate checked for the headless Service name,
/// the Node service asked. The agent is the real agent host on 127.0.0.1 standing for a pod.
/// </summary>
public sealed class KubernetesAgentFleetTests : IAsyncLifetime
{
    private const string Ns = "ssi";
    private FakeApiServer _server = null!;
    private Kubernetes _client = null!;
    private OperatorCaches _caches = null!;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _informers = [];
    private readonly OperatorOptions _options = new() { AgentProbeTimeout = TimeSpan.FromSeconds(10) };
    private readonly string _directory = Directory.CreateTempSubdirectory("ssi-fleet-").FullName;

    public async Task InitializeAsync()
    {
        _server = await FakeApiServer.StartAsync();
        _client = _server.CreateClient();
        _caches = new OperatorCaches(_client, _options, NullLoggerFactory.Instance, TimeProvider.System);
        _informers.Add(_caches.Pods.RunAsync(_stop.Token));
        _informers.Add(_caches.Secrets.RunAsync(_stop.Token));
        await Task.WhenAll(_caches.Pods.Synced, _caches.Secrets.Synced).WaitAsync(TimeSpan.FromSeconds(30));
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_informers);
        _client.Dispose();
        await _server.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private static V1Alpha1SsiCluster Cluster(int port) => new()
    {
        Metadata = new V1ObjectMeta { Name = "demo", NamespaceProperty = Ns, Uid = "u" },
        Spec = new SsiClusterSpec { Nodes = [new() { Name = "node1" }, new() { Name = "node2" }], Agent = new SsiAgentSpec { Port = port } },
    };

    private async Task<WebApplication> StartAgentAsync(SsiClusterCertificates certificates) =>
        await InProcessAgentPod.StartAsync(certificates, _directory);

    private static int Port(WebApplication app) => InProcessAgentPod.Port(app);

    private async Task PublishAsync(SsiClusterCertificates certificates)
    {
        await InProcessAgentPod.PublishAsync(_server, _client, Ns, certificates);
        for (var i = 0; i < 400 && (_caches.Pods.List().All(p => p.Status?.PodIP is null) || _caches.Secrets.List().Count == 0); i++)
        {
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task The_agent_pod_answers_over_mTLS_and_a_node_without_an_agent_pod_is_reported()
    {
        var certificates = new SsiClusterCertificateIssuer(TimeProvider.System, _options).Resolve(Cluster(7443), null, null);
        await using var agent = await StartAgentAsync(certificates);
        await PublishAsync(certificates);
        var fleet = new KubernetesAgentFleet(_caches.Pods, _caches.Secrets, _options, TimeProvider.System);

        var health = await fleet.ProbeAsync(Cluster(Port(agent)), CancellationToken.None);

        var node1 = health.Single(h => h.Node == "node1");
        Assert.True(node1.Healthy, node1.Message);
        Assert.Equal("demo", node1.Info!.Identity.Cluster);
        var node2 = health.Single(h => h.Node == "node2");
        Assert.False(node2.Healthy);
        Assert.Equal("No agent pod runs on this node.", node2.Message);
    }

    [Fact]
    public async Task An_agent_with_a_certificate_of_another_CA_is_not_healthy()
    {
        var issuer = new SsiClusterCertificateIssuer(TimeProvider.System, _options);
        await using var agent = await StartAgentAsync(issuer.Resolve(Cluster(7443), null, null));
        await PublishAsync(issuer.Resolve(Cluster(7443), null, null));
        var fleet = new KubernetesAgentFleet(_caches.Pods, _caches.Secrets, _options, TimeProvider.System);

        var health = await fleet.ProbeAsync(Cluster(Port(agent)), CancellationToken.None);

        Assert.False(health.Single(h => h.Node == "node1").Healthy);
    }

    [Fact]
    public async Task Cleanup_reaches_the_agent_pod_and_reports_the_node_without_one()
    {
        var certificates = new SsiClusterCertificateIssuer(TimeProvider.System, _options).Resolve(Cluster(7443), null, null);
        await using var agent = await StartAgentAsync(certificates);
        await PublishAsync(certificates);
        var fleet = new KubernetesAgentFleet(_caches.Pods, _caches.Secrets, _options, TimeProvider.System);

        var report = await fleet.CleanupAsync(Cluster(Port(agent)), CancellationToken.None);
        var health = await fleet.ProbeAsync(Cluster(Port(agent)), CancellationToken.None);

        Assert.Equal(["node1"], report.Cleaned);
        Assert.Equal("node2", report.NotCleaned.Single().Node);
        Assert.False(report.Complete);
        Assert.Equal("The agent has been cleaned up for the deletion of its cluster.", health.Single(h => h.Node == "node1").Message);
    }
}
