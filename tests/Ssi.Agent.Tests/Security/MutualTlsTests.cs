using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Net.Client;
using Ssi.Agent.Contracts.Security;
using Ssi.Agent.Contracts.V1;
using Ssi.Orchestration.Certificates;

namespace Ssi.Agent.Tests.Security;

public sealed class MutualTlsTests
{
    [Fact]
    public async Task Client_with_a_certificate_from_the_cluster_CA_is_served()
    {
        await using var agent = await InProcessAgent.StartAsync();
        using var channel = AgentChannelFactory.Create(agent.Address, "node1", AgentCredentials.FromDirectory(agent.Directory, "cli"));

        var info = await new Contracts.V1.Node.NodeClient(channel).GetNodeInfoAsync(new GetNodeInfoRequest());

        Assert.Equal("node1", info.Identity.Node);
        Assert.Equal("test", info.Identity.Cluster);
    }

    [Fact]
    public async Task Client_without_a_certificate_is_refused()
    {
        await using var agent = await InProcessAgent.StartAsync();
        var trust = ClusterTrust.FromPemFile(Path.Combine(agent.Directory, "ca.crt"));
        using var channel = RawChannel(agent.Address, clientCertificate: null, trust);

        var e = await Assert.ThrowsAsync<RpcException>(() => new Contracts.V1.Node.NodeClient(channel).CheckHealthAsync(new CheckHealthRequest()).ResponseAsync);

        AssertClientRejected(e);
    }

    [Fact]
    public async Task Client_with_a_certificate_from_another_CA_is_refused()
    {
        await using var agent = await InProcessAgent.StartAsync();
        using var otherAuthority = ClusterCertificateAuthority.Create("test", DateTimeOffset.UtcNow);
        var other = otherAuthority.IssueClient("ssi-cli-test", DateTimeOffset.UtcNow);
        using var certificate = TestCertificates.Load(other);
        var trust = ClusterTrust.FromPemFile(Path.Combine(agent.Directory, "ca.crt"));
        using var channel = RawChannel(agent.Address, certificate, trust);

        var e = await Assert.ThrowsAsync<RpcException>(() => new Contracts.V1.Node.NodeClient(channel).CheckHealthAsync(new CheckHealthRequest()).ResponseAsync);

        AssertClientRejected(e);
    }

    [Fact]
    public async Task Client_refuses_an_agent_whose_certificate_is_for_another_node()
    {
        await using var agent = await InProcessAgent.StartAsync(node: "node1");
        using var channel = AgentChannelFactory.Create(agent.Address, "node2", AgentCredentials.FromDirectory(agent.Directory, "cli"));

        var e = await Assert.ThrowsAsync<RpcException>(() => new Contracts.V1.Node.NodeClient(channel).CheckHealthAsync(new CheckHealthRequest()).ResponseAsync);

        AssertServerRejected(e);
    }

    [Fact]
    public async Task Client_refuses_an_agent_of_another_cluster()
    {
        await using var agent = await InProcessAgent.StartAsync();
        var otherDirectory = Directory.CreateTempSubdirectory("ssi-other-ca").FullName;
        try
        {
            using var otherAuthority = ClusterCertificateAuthority.Create("other", DateTimeOffset.UtcNow);
            otherAuthority.Export().WriteTo(otherDirectory, "ca");
            otherAuthority.IssueClient("cli", DateTimeOffset.UtcNow).WriteTo(otherDirectory, "cli");
            using var channel = AgentChannelFactory.Create(agent.Address, "node1", AgentCredentials.FromDirectory(otherDirectory, "cli"));

            var e = await Assert.ThrowsAsync<RpcException>(() => new Contracts.V1.Node.NodeClient(channel).CheckHealthAsync(new CheckHealthRequest()).ResponseAsync);

            AssertServerRejected(e);
        }
        finally
        {
            Directory.Delete(otherDirectory, recursive: true);
        }
    }

    /// <summary>
    /// The agent refuses the TLS handshake. With TLS 1.3 the client may learn it only when it reads
    /// (after it sent its request), so the call fails as Unavailable or as Internal; it never succeeds.
    /// </summary>
    private static void AssertClientRejected(RpcException e) =>
        Assert.True(e.StatusCode is StatusCode.Unavailable or StatusCode.Internal, e.ToString());

    /// <summary>The client's own check of the server certificate fails the TLS handshake before any request.</summary>
    private static void AssertServerRejected(RpcException e)
    {
        Assert.True(e.StatusCode is StatusCode.Unavailable or StatusCode.Internal, e.ToString());
        Assert.Contains("RemoteCertificateValidationCallback", e.ToString(), StringComparison.Ordinal);
    }

    private static GrpcChannel RawChannel(Uri address, X509Certificate2? clientCertificate, ClusterTrust trust)
    {
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificates = clientCertificate is null ? null : [clientCertificate],
                RemoteCertificateValidationCallback = (_, certificate, _, _) => trust.IsTrustedServer(certificate as X509Certificate2, "node1", out _),
            },
        };
        return GrpcChannel.ForAddress(address, new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true });
    }
}
