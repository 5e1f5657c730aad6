using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;
using Ssi.Agent.Contracts.Security;
using Ssi.Agent.Hosting;

namespace Ssi.Agent.Migration.Bulk;

/// <summary>Opens bulk links from this agent to other agents (mutual TLS, the peer's certificate must name its node).</summary>
internal sealed class PeerBulkLinks(AgentCredentials credentials, IOptions<AgentOptions> options)
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(5);

    /// <summary>host:port of <paramref name="node"/>'s bulk links, from its agent's gRPC host:port.</summary>
    public string EndpointOf(string agentEndpoint) => AgentPorts.Target(agentEndpoint, options.Value.BulkPort, AgentPorts.BulkLinkOffset);

    /// <summary>
    /// A link to the agent of <paramref name="node"/> (blocking: connect and handshake); throws
    /// <see cref="IOException"/> when it cannot be had within a few seconds. Cancelling closes it.
    /// </summary>
    public BulkConnection Open(string node, string agentEndpoint, CancellationToken cancellationToken)
    {
        var (host, port) = AgentPorts.Split(EndpointOf(agentEndpoint));
        host = host.Trim('[', ']');
        // Blocking calls only: a socket that ever did an asynchronous operation stays non-blocking in
        // .NET, and its blocking reads then wait on the socket engine's thread.
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var made = 0;
        using var deadline = new Timer(_ => { if (Volatile.Read(ref made) == 0) socket.Dispose(); }, null, ConnectTimeout + HandshakeTimeout, Timeout.InfiniteTimeSpan);
        using var cancelling = cancellationToken.Register(() => { if (Volatile.Read(ref made) == 0) socket.Dispose(); });
        try
        {
            socket.Connect(Dns.GetHostAddresses(host), port);
            var tls = new SslStream(new NetworkStream(socket, ownsSocket: true), leaveInnerStreamOpen: false);
            tls.AuthenticateAsClient(new SslClientAuthenticationOptions
            {
                TargetHost = host,
                ClientCertificates = [credentials.Certificate],
                ApplicationProtocols = [new SslApplicationProtocol(BulkFrame.Alpn)],
                RemoteCertificateValidationCallback = (_, certificate, _, _) => credentials.Trust.IsTrustedServer(certificate as X509Certificate2, node, out _),
            });
            if (tls.NegotiatedApplicationProtocol.ToString() != BulkFrame.Alpn)
            {
                tls.Dispose();
                throw new BulkProtocolException($"the agent of {node} does not take bulk links ({BulkFrame.Alpn})");
            }

            Volatile.Write(ref made, 1);
            return new BulkConnection(tls, socket);
        }
        catch (Exception e) when (e is SocketException or AuthenticationException or ObjectDisposedException or IOException && e is not BulkProtocolException)
        {
            socket.Dispose();
            cancellationToken.ThrowIfCancellationRequested();
            throw new IOException($"no bulk link to the agent of {node} at {host}:{port}: {e.Message}", e);
        }
    }
}
