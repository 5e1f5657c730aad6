using System.Net;
using System.Net.Security;
using Microsoft.Extensions.Logging;
using Ssi.Agent.Contracts.Security;
using Ssi.Agent.Filesystem.Coherency;
using Ssi.Agent.Filesystem.Fuse;
using Ssi.Agent.Security;

namespace Ssi.Agent.Filesystem.Forwarding;

/// <summary>
/// The home takes the forwarding nodes' links on a port of their own (the agent's port + 1 unless
/// Filesystem:LinkPort says otherwise): mutual TLS with the cluster certificates and the same client
/// check as gRPC (<see cref="ClientCertificatePolicy"/>), ALPN <see cref="LinkFrame.Alpn"/>. Each link
/// is read by a thread of its own with blocking calls: measured against a link taken by Kestrel on the
/// agent's port, this halves a forwarded request's round trip (Kestrel's transport adds thread hops).
/// </summary>
internal sealed class LinkListener : IDisposable
{
    private readonly MutualTlsListener _listener;
    private readonly FuseDispatcher _dispatcher;
    private readonly CoherencyHub _hub;
    private readonly ILogger _logger;
    private readonly List<RemoteNodeLink> _links = [];
    private readonly LinkWorkers _workers = new(8);
    private volatile bool _stopped;

    public LinkListener(IPEndPoint endpoint, AgentCredentials credentials, ClientCertificatePolicy policy, FuseDispatcher dispatcher, CoherencyHub hub, ILogger logger)
    {
        _listener = new MutualTlsListener(endpoint, LinkFrame.Alpn, "fs-link", 0, credentials, policy, (tls, _) => Serve(tls), reason => FsLog.LinkRefused(logger, reason));
        _dispatcher = dispatcher;
        _hub = hub;
        _logger = logger;
    }

    public int Port => _listener.Port;

    public void Start() => _listener.Start();

    public void Dispose()
    {
        _stopped = true;
        _listener.Dispose();
        _workers.Dispose();
        lock (_links)
        {
            foreach (var link in _links)
            {
                link.Close();
            }
        }
    }

    private void Serve(SslStream tls)
    {
        var link = new RemoteNodeLink(tls, _dispatcher, _hub, _workers, _logger);
        lock (_links)
        {
            if (_stopped)
            {
                tls.Dispose();
                return;
            }

            _links.Add(link);
        }

        try
        {
            link.Run();
        }
        finally
        {
            lock (_links)
            {
                _links.Remove(link);
            }
        }
    }
}
