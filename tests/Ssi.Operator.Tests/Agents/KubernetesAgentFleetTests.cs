using System.Text;
using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Ssi.Agent.Hosting;
using Ssi.Api.V1Alpha1;
using Ssi.Operator.Agents;
using Ssi.Operator.Certificates;
using Ssi.Operator.Hosting;
using Ssi.Orchestration.Certificates;
using Ssi.Testing;
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

    /// <summary>Starts the real agent with the agent certificate the operator issues for <paramref name="cluster"/>; returns its port.</summary>
    private async Task<WebApplication> StartAgentAsync(SsiClusterCertificates certificates)
    {
        new CertificateFiles(certificates.CaCertificatePem, certificates.CaPrivateKeyPem).WriteTo(_directory, "ca");
        new CertificateFiles(certificates.AgentCertificatePem, certificates.AgentPrivateKeyPem).WriteTo(_directory, "agent");
        var app = AgentHost.Build(
        [
            "--Agent:Cluster=demo",
            "--Agent:Node=node1",
            "--Agent:ListenAddress=127.0.0.1",
            "--Agent:Port=0",
            $"--Agent:CredentialsDirectory={_directory}",
            $"--Agent:StateDirectory={Path.Combine(_directory, "state")}",
            $"--Agent:ShimPath={Path.Combine(RepositoryPaths.Root, "artifacts", "shim", "ssi-shim")}",
            "--Agent:InitialNetworkNamespace=/proc/self/ns/net",
            "--Logging:LogLevel:Default=Warning",
        ]);
        await app.StartAsync();
        return app;
    }

    private static int Port(WebApplication app) =>
        new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single()).Port;

    private async Task PublishAsync(SsiClusterCertificates certificates)
    {
        await _client.CoreV1.CreateNamespacedSecretAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = "demo-ssi-ca", NamespaceProperty = Ns, Labels = new Dictionary<string, string> { ["app.kubernetes.io/managed-by"] = "ssi-operator" } },
            Data = new Dictionary<string, byte[]> { ["ca.crt"] = Encoding.UTF8.GetBytes(certificates.CaCertificatePem), ["ca.key"] = Encoding.UTF8.GetBytes(certificates.CaPrivateKeyPem) },
        }, Ns);
        await _client.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "demo-ssi-agent-x1", NamespaceProperty = Ns, Labels = new Dictionary<string, string> { ["app.kubernetes.io/name"] = "ssi-agent", ["app.kubernetes.io/instance"] = "demo" } },
            Spec = new V1PodSpec { NodeName = "node1", Containers = [new V1Container { Name = "agent", Image = "agent" }] },
        }, Ns);
        _server.SetStatus("", "pods", Ns, "demo-ssi-agent-x1", new System.Text.Json.Nodes.JsonObject { ["podIP"] = "127.0.0.1", ["phase"] = "Running" });
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
}
