using System.Net;
using System.Net.Security;
using System.Net.Sockets;
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
    private readonly MutualTlsListener _listener;
    private readonly Action<BulkConnection> _serve;
    private readonly ILogger _logger;
    private readonly HashSet<BulkConnection> _links = [];
    private volatile bool _stopped;

    /// <param name="serve">Serves one link until it ends (on the link's thread); the link is closed after.</param>
    public BulkLinkListener(IPEndPoint endpoint, AgentCredentials credentials, ClientCertificatePolicy policy, Action<BulkConnection> serve, ILogger logger)
    {
        _listener = new MutualTlsListener(endpoint, BulkFrame.Alpn, "bulk-link", 256 * 1024, credentials, policy, Serve, reason => BulkLog.LinkRefused(logger, reason));
        _serve = serve;
        _logger = logger;
    }

    public int Port => _listener.Port;

    public void Start() => _listener.Start();

    public void Dispose()
    {
        _stopped = true;
        _listener.Dispose();
        lock (_links)
        {
            foreach (var link in _links)
            {
                link.Dispose();
            }
        }
    }

    private void Serve(SslStream tls, Socket connection)
    {
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
