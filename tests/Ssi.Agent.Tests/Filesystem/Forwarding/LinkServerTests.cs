using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Ssi.Agent.Contracts.Security;
using Ssi.Agent.Filesystem.Forwarding;

namespace Ssi.Agent.Tests.Filesystem.Forwarding;

/// <summary>Filesystem links on the agent's port: the same certificate checks as gRPC, and only the home takes them.</summary>
public sealed class LinkServerTests
{
    [Fact]
    public async Task A_link_without_a_client_certificate_is_refused_during_the_handshake()
    {
        await using var agent = await InProcessAgent.StartAsync();
        var trust = ClusterTrust.FromPemFile(Path.Combine(agent.Directory, "ca.crt"));

        var refused = await Record.ExceptionAsync(async () =>
        {
            using var tls = await ConnectAsync(agent, certificate: null, trust);
            // TLS 1.3 reports a refused client certificate on the first read.
            Assert.Equal(0, await tls.ReadAsync(new byte[16]));
        });

        Assert.True(refused is null or AuthenticationException or IOException, refused?.ToString());
    }

    [Fact]
    public async Task A_link_to_an_agent_that_is_not_the_home_is_refused_with_a_reason()
    {
        await using var agent = await InProcessAgent.StartAsync();
        var credentials = AgentCredentials.FromDirectory(agent.Directory, "cli");
        using var tls = await ConnectAsync(agent, credentials.Certificate, credentials.Trust);
        var hello = new byte[16];
        await tls.WriteAsync(hello.AsMemory(0, LinkFrame.Hello(hello, 1)));

        var reader = new LinkFrameReader(tls);

        Assert.True(reader.Next(out var kind, out var payload));
        Assert.Equal(LinkFrameKind.Refused, kind);
        Assert.Contains("not the home", System.Text.Encoding.UTF8.GetString(payload), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Grpc_still_works_on_the_port_that_takes_links()
    {
        await using var agent = await InProcessAgent.StartAsync();
        using var channel = agent.Channel();

        var info = await new Contracts.V1.Node.NodeClient(channel).GetNodeInfoAsync(new Contracts.V1.GetNodeInfoRequest());

        Assert.Equal("node1", info.Identity.Node);
    }

    private static async Task<SslStream> ConnectAsync(InProcessAgent agent, X509Certificate2? certificate, ClusterTrust trust)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(agent.Address.Host, agent.Address.Port);
        var tls = new SslStream(new NetworkStream(socket, ownsSocket: true));
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "node1",
            ClientCertificates = certificate is null ? null : [certificate],
            ApplicationProtocols = [new SslApplicationProtocol(LinkFrame.Alpn)],
            RemoteCertificateValidationCallback = (_, c, _, _) => trust.IsTrustedServer(c as X509Certificate2, "node1", out _),
        });
        Assert.Equal(LinkFrame.Alpn, tls.NegotiatedApplicationProtocol.ToString());
        return tls;
    }
}
