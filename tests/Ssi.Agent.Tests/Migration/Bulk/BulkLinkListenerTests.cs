using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Ssi.Agent.Contracts.Security;
using Ssi.Agent.Hosting;
using Ssi.Agent.Migration.Bulk;
using Ssi.Agent.Security;
using Ssi.Agent.Tests.Security;
using Ssi.Orchestration.Certificates;

namespace Ssi.Agent.Tests.Migration.Bulk;

/// <summary>Who a bulk link lets in (mutual TLS with the cluster's certificates, ALPN), and what garbage gets.</summary>
public sealed class BulkLinkListenerTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ssi-bulk-").FullName;
    private readonly ClusterCertificateAuthority _authority = ClusterCertificateAuthority.Create("test", DateTimeOffset.UtcNow);
    private readonly BulkLinkListener _listener;
    private readonly TaskCompletionSource<(BulkFrameKind Kind, Exception? Error)> _served = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public BulkLinkListenerTests()
    {
        var now = DateTimeOffset.UtcNow;
        _authority.Export().WriteTo(_directory, "ca");
        _authority.IssueAgent("ssi-agent-test-node1", ["node1"], [IPAddress.Loopback], now).WriteTo(_directory, "agent");
        _authority.IssueAgent("ssi-agent-test-node2", ["node2"], [IPAddress.Loopback], now).WriteTo(_directory, "node2");
        var credentials = AgentCredentials.FromDirectory(_directory, "agent");
        _listener = new BulkLinkListener(new IPEndPoint(IPAddress.Loopback, 0), credentials, new ClientCertificatePolicy(credentials.Trust, NullLogger<ClientCertificatePolicy>.Instance), Serve, NullLogger.Instance);
        _listener.Start();
    }

    [Fact]
    public void An_agent_of_the_cluster_gets_a_link_and_its_frames_arrive()
    {
        using var link = Peers("node2").Open("node1", $"127.0.0.1:{_listener.Port}", CancellationToken.None);

        link.Send(buffer => BulkFrame.Attach(buffer, "o1", "node2"));

        Assert.True(link.Next(out var kind, out var payload));
        Assert.Equal(BulkFrameKind.Refused, kind);
        Assert.Equal("attach o1 from node2", BulkFrame.ReadText(payload, kind));
    }

    [Fact]
    public void A_server_whose_certificate_does_not_name_the_node_asked_for_is_not_trusted()
    {
        Assert.ThrowsAny<IOException>(() => Peers("node2").Open("node3", $"127.0.0.1:{_listener.Port}", CancellationToken.None));
    }

    [Fact]
    public async Task A_link_with_a_certificate_of_another_cluster_is_refused()
    {
        using var certificate = TestCertificates.OfAnotherCluster();

        var refused = await Record.ExceptionAsync(async () =>
        {
            using var tls = await ConnectAsync(certificate, BulkFrame.Alpn);
            // TLS 1.3 reports a refused client certificate on the first read.
            Assert.Equal(0, await tls.ReadAsync(new byte[16]));
        });

        Assert.True(refused is null or AuthenticationException or IOException, refused?.ToString());
        Assert.False(_served.Task.IsCompleted);
    }

    [Fact]
    public async Task A_client_that_does_not_speak_the_bulk_protocol_is_refused()
    {
        var refused = await Record.ExceptionAsync(async () =>
        {
            using var tls = await ConnectAsync(AgentCredentials.FromDirectory(_directory, "node2").Certificate, "h2");
            Assert.Equal(0, await tls.ReadAsync(new byte[16]));
        });

        Assert.True(refused is null or AuthenticationException or IOException, refused?.ToString());
        Assert.False(_served.Task.IsCompleted);
    }

    [Fact]
    public async Task A_peer_that_sends_garbage_is_dropped()
    {
        using var tls = await ConnectAsync(AgentCredentials.FromDirectory(_directory, "node2").Certificate, BulkFrame.Alpn);
        var garbage = new byte[64];
        new Random(3).NextBytes(garbage);

        await tls.WriteAsync(garbage);

        var (_, error) = await _served.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.IsType<BulkProtocolException>(error);
        Assert.Equal(0, await tls.ReadAsync(new byte[16]).AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
    }

    public void Dispose()
    {
        _listener.Dispose();
        _authority.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>Answers the first frame with a Refused that names it (or records what broke).</summary>
    private void Serve(BulkConnection link)
    {
        try
        {
            if (!link.Next(out var kind, out var payload))
            {
                return;
            }

            var (objectId, node) = BulkFrame.ReadAttach(payload);
            link.Send(buffer => BulkFrame.Text(buffer, BulkFrameKind.Refused, $"attach {objectId} from {node}"));
            _served.TrySetResult((kind, null));
        }
        catch (BulkProtocolException e)
        {
            _served.TrySetResult((default, e));
            throw;
        }
    }

    private PeerBulkLinks Peers(string credentialName) => new(
        AgentCredentials.FromDirectory(_directory, credentialName),
        Options.Create(new AgentOptions { BulkPort = _listener.Port }));

    private async Task<SslStream> ConnectAsync(X509Certificate2? certificate, string alpn)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, _listener.Port);
        var tls = new SslStream(new NetworkStream(socket, ownsSocket: true));
        var trust = ClusterTrust.FromPemFile(Path.Combine(_directory, "ca.crt"));
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "node1",
            ClientCertificates = certificate is null ? null : [certificate],
            ApplicationProtocols = [new SslApplicationProtocol(alpn)],
            RemoteCertificateValidationCallback = (_, c, _, _) => trust.IsTrustedServer(c as X509Certificate2, "node1", out _),
        });
        return tls;
    }
}
