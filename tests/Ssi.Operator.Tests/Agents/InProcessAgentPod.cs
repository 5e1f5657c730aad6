using System.Text;
using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Ssi.Agent.Hosting;
using Ssi.Operator.Certificates;
using Ssi.Orchestration.Certificates;
using Ssi.Testing;
using Ssi.Testing.FakeApiServer;

namespace Ssi.Operator.Tests.Agents;

/// <summary>
/// A real agent host on 127.0.0.1 standing for the agent pod of one node, and what the operator would
/// have put in the API server for it: the cluster CA Secret and a running agent pod whose IP is 127.0.0.1.
/// </summary>
internal static class InProcessAgentPod
{
    /// <summary>Starts the real agent of <paramref name="node"/> with the agent certificate of <paramref name="certificates"/>.</summary>
    public static async Task<WebApplication> StartAsync(SsiClusterCertificates certificates, string directory, string cluster = "demo", string node = "node1", params string[] extraArguments)
    {
        new CertificateFiles(certificates.CaCertificatePem, certificates.CaPrivateKeyPem).WriteTo(directory, "ca");
        new CertificateFiles(certificates.AgentCertificatePem, certificates.AgentPrivateKeyPem).WriteTo(directory, "agent");
        var app = AgentHost.Build(
        [
            $"--Agent:Cluster={cluster}",
            $"--Agent:Node={node}",
            "--Agent:ListenAddress=127.0.0.1",
            "--Agent:Port=0",
            $"--Agent:CredentialsDirectory={directory}",
            $"--Agent:StateDirectory={Path.Combine(directory, "state")}",
            $"--Agent:ShimPath={RepositoryPaths.Shim}",
            $"--Agent:ShimReportSocket={Path.Combine(directory, "shim.sock")}",
            "--Agent:InitialNetworkNamespace=/proc/self/ns/net",
            "--Logging:LogLevel:Default=Warning",
            .. extraArguments,
        ]);
        await app.StartAsync();
        return app;
    }

    public static int Port(WebApplication app) =>
        new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single()).Port;

    /// <summary>
    /// Writes the CA Secret and, unless <paramref name="withPod"/> is false, a running agent pod on
    /// <paramref name="node"/> with IP <paramref name="podIp"/> (any other than 127.0.0.1 needs a
    /// <see cref="FakeApiServer.RoutePodIp"/> for port-forwards to reach the agent).
    /// </summary>
    public static async Task PublishAsync(FakeApiServer server, Kubernetes client, string ns, SsiClusterCertificates certificates, string cluster = "demo", string node = "node1", bool withPod = true, string podIp = "127.0.0.1")
    {
        await client.CoreV1.CreateNamespacedSecretAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = $"{cluster}-ssi-ca", NamespaceProperty = ns, Labels = new Dictionary<string, string> { ["app.kubernetes.io/managed-by"] = "ssi-operator" } },
            Data = new Dictionary<string, byte[]> { ["ca.crt"] = Encoding.UTF8.GetBytes(certificates.CaCertificatePem), ["ca.key"] = Encoding.UTF8.GetBytes(certificates.CaPrivateKeyPem) },
        }, ns);
        if (!withPod)
        {
            return;
        }

        var pod = $"{cluster}-ssi-agent-{node}";
        await client.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = pod, NamespaceProperty = ns, Labels = new Dictionary<string, string> { ["app.kubernetes.io/name"] = "ssi-agent", ["app.kubernetes.io/instance"] = cluster } },
            Spec = new V1PodSpec { NodeName = node, Containers = [new V1Container { Name = "agent", Image = "agent" }] },
        }, ns);
        server.SetStatus("", "pods", ns, pod, new System.Text.Json.Nodes.JsonObject { ["podIP"] = podIp, ["phase"] = "Running" });
    }
}
