using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
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
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(5);
    private readonly Socket _socket;
    private readonly AgentCredentials _credentials;
    private readonly ClientCertificatePolicy _policy;
    private readonly FuseDispatcher _dispatcher;
    private readonly CoherencyHub _hub;
    private readonly ILogger _logger;
    private readonly List<RemoteNodeLink> _links = [];
    private readonly LinkWorkers _workers = new(8);
    private volatile bool _stopped;

    public LinkListener(IPEndPoint endpoint, AgentCredentials credentials, ClientCertificatePolicy policy, FuseDispatcher dispatcher, CoherencyHub hub, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        _socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        _socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _socket.Bind(endpoint);
        _socket.Listen(64);
        _credentials = credentials;
        _policy = policy;
        _dispatcher = dispatcher;
        _hub = hub;
        _logger = logger;
    }

    public int Port => ((IPEndPoint)_socket.LocalEndPoint!).Port;

    public void Start() => new Thread(Accept) { IsBackground = true, Name = "fs-link-listener" }.Start();

    public void Dispose()
    {
        _stopped = true;
        _socket.Dispose();
        _workers.Dispose();
        lock (_links)
        {
            foreach (var link in _links)
            {
                link.Close();
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
            new Thread(() => Serve(connection)) { IsBackground = true, Name = "fs-link-home" }.Start();
        }
    }

    private void Serve(Socket connection)
    {
        var made = 0;
        using var deadline = new Timer(_ => { if (Volatile.Read(ref made) == 0) connection.Dispose(); }, null, HandshakeTimeout, Timeout.InfiniteTimeSpan);
        var tls = new SslStream(new NetworkStream(connection, ownsSocket: true), leaveInnerStreamOpen: false);
        try
        {
            tls.AuthenticateAsServer(new SslServerAuthenticationOptions
            {
                ServerCertificate = _credentials.Certificate,
                ClientCertificateRequired = true,
                RemoteCertificateValidationCallback = (_, certificate, _, _) => _policy.Admit(certificate as X509Certificate2),
                ApplicationProtocols = [new SslApplicationProtocol(LinkFrame.Alpn)],
            });
            Volatile.Write(ref made, 1);
        }
        catch (Exception e) when (e is AuthenticationException or IOException or ObjectDisposedException)
        {
            FsLog.LinkRefused(_logger, e.Message);
            tls.Dispose();
            return;
        }

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
