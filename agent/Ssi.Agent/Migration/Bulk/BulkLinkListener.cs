using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Ssi.Agent.Contracts.Security;
using Ssi.Agent.Security;

namespace Ssi.Agent.Migration.Bulk;

/// <summary>
/// Every agent takes other agents' bulk links (relays of objects that stayed here, checkpoint images
/// for this node) on a port of its own (the agent's port + 2 unless Agent:BulkPort says otherwise):
/// mutual TLS with the cluster certificates and the same client check as gRPC
/// (<see cref="ClientCertificatePolicy"/>), ALPN <see cref="BulkFrame.Alpn"/>. Each link is served by a
/// thread of its own with blocking calls, as the filesystem's links are: bulk data moves in 1 MiB
/// frames without HTTP/2's flow control, stream multiplexing and per-message copies.
/// </summary>
internal sealed class BulkLinkListener : IDisposable
{
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(5);
    private readonly Socket _socket;
    private readonly AgentCredentials _credentials;
    private readonly ClientCertificatePolicy _policy;
    private readonly Action<BulkConnection> _serve;
    private readonly ILogger _logger;
    private readonly HashSet<BulkConnection> _links = [];
    private volatile bool _stopped;

    /// <param name="serve">Serves one link until it ends (on the link's thread); the link is closed after.</param>
    public BulkLinkListener(IPEndPoint endpoint, AgentCredentials credentials, ClientCertificatePolicy policy, Action<BulkConnection> serve, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        _socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        _socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _socket.Bind(endpoint);
        _socket.Listen(64);
        _credentials = credentials;
        _policy = policy;
        _serve = serve;
        _logger = logger;
    }

    public int Port => ((IPEndPoint)_socket.LocalEndPoint!).Port;

    public void Start() => new Thread(Accept) { IsBackground = true, Name = "bulk-listener" }.Start();

    public void Dispose()
    {
        _stopped = true;
        _socket.Dispose();
        lock (_links)
        {
            foreach (var link in _links)
            {
                link.Dispose();
            }
        }
    }

    private void Accept()
    {
        while (!_stopped)
        {
            Socket connection;
            try
            {
                // Blocking accept and, below, blocking I/O only: the link's thread reads itself.
                connection = _socket.Accept();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                if (_stopped)
                {
                    return;
                }

                continue;
            }

            connection.NoDelay = true;
            new Thread(() => Serve(connection), 256 * 1024) { IsBackground = true, Name = "bulk-link" }.Start();
        }
    }

    private void Serve(Socket connection)
    {
        var made = 0;
        var tls = new SslStream(new NetworkStream(connection, ownsSocket: true), leaveInnerStreamOpen: false);
        using (new Timer(_ => { if (Volatile.Read(ref made) == 0) connection.Dispose(); }, null, HandshakeTimeout, Timeout.InfiniteTimeSpan))
        {
            try
            {
                tls.AuthenticateAsServer(new SslServerAuthenticationOptions
                {
                    ServerCertificate = _credentials.Certificate,
                    ClientCertificateRequired = true,
                    RemoteCertificateValidationCallback = (_, certificate, _, _) => _policy.Admit(certificate as X509Certificate2),
                    ApplicationProtocols = [new SslApplicationProtocol(BulkFrame.Alpn)],
                });
                if (tls.NegotiatedApplicationProtocol.ToString() != BulkFrame.Alpn)
                {
                    throw new AuthenticationException($"the client does not speak {BulkFrame.Alpn}");
                }

                Volatile.Write(ref made, 1);
            }
            catch (Exception e) when (e is AuthenticationException or IOException or ObjectDisposedException)
            {
                BulkLog.LinkRefused(_logger, e.Message);
                tls.Dispose();
                return;
            }
        }

        var link = new BulkConnection(tls, connection);
        lock (_links)
        {
            if (_stopped)
            {
                link.Dispose();
                return;
            }

            _links.Add(link);
        }

        try
        {
            _serve(link);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException)
        {
            // A peer that breaks the protocol (BulkProtocolException) or goes away is dropped.
            BulkLog.LinkEnded(_logger, e.Message);
        }
        finally
        {
            lock (_links)
            {
                _links.Remove(link);
            }

            link.Dispose();
        }
    }
}
