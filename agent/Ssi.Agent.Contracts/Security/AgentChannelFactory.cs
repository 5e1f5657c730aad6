using System.Net.Security;
using System.Net.Sockets;
using Grpc.Net.Client;

namespace Ssi.Agent.Contracts.Security;

/// <summary>Creates gRPC channels to agents over mutual TLS.</summary>
public static class AgentChannelFactory
{
    /// <summary>
    /// A channel to the agent at <paramref name="address"/> (https://host:port) whose certificate
    /// must name <paramref name="expectedServerName"/>. <paramref name="connect"/> replaces how the
    /// TCP socket is made (local mode makes it inside the node's network namespace).
    /// </summary>
    public static GrpcChannel Create(
        Uri address,
        string expectedServerName,
        AgentCredentials credentials,
        Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>>? connect = null,
        TimeSpan? connectTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = connectTimeout ?? TimeSpan.FromSeconds(5),
            EnableMultipleHttp2Connections = true,
            InitialHttp2StreamWindowSize = 16 * 1024 * 1024,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            KeepAlivePingDelay = TimeSpan.FromSeconds(20),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
            SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificates = [credentials.Certificate],
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                    credentials.Trust.IsTrustedServer(certificate as System.Security.Cryptography.X509Certificates.X509Certificate2, expectedServerName, out _),
            },
        };
        if (connect is not null)
        {
            handler.ConnectCallback = connect;
        }

        return GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            HttpHandler = handler,
            DisposeHttpClient = true,
            MaxReceiveMessageSize = 16 * 1024 * 1024,
            // Agents restart and nodes come and go: retry a lost connection soon, not after minutes.
            InitialReconnectBackoff = TimeSpan.FromMilliseconds(100),
            MaxReconnectBackoff = TimeSpan.FromSeconds(2),
        });
    }

    /// <summary>Connects a TCP socket made by <paramref name="socketFactory"/> to the request's endpoint.</summary>
    public static Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> ConnectWith(Func<Socket> socketFactory) =>
        async (context, cancellationToken) =>
        {
            var socket = socketFactory();
            try
            {
                socket.NoDelay = true;
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        };
}
