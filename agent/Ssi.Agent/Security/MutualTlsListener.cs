using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Ssi.Agent.Contracts.Security;

namespace Ssi.Agent.Security;

/// <summary>
/// A port of the agent's own links (the filesystem's, the bulk links): a blocking accept on a thread
/// of its own, then a thread per connection with blocking calls only, mutual TLS with the cluster
/// certificates, the same client check as gRPC (<see cref="ClientCertificatePolicy"/>) and one ALPN
/// protocol, the handshake bounded in time. What the link carries is the owner's business.
/// </summary>
internal sealed class MutualTlsListener : IDisposable
{
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(5);
    private readonly Socket _socket;
    private readonly string _alpn;
    private readonly string _name;
    private readonly int _stackSize;
    private readonly AgentCredentials _credentials;
    private readonly ClientCertificatePolicy _policy;
    private readonly Action<SslStream, Socket> _serve;
    private readonly Action<string> _refused;
    private volatile bool _stopped;

    /// <param name="name">Names the threads: "NAME-listener" accepts, "NAME" serves a connection.</param>
    /// <param name="stackSize">Stack of each connection's thread; 0 for the default.</param>
    /// <param name="serve">Serves one authenticated connection until it ends, on its thread; owns the stream.</param>
    /// <param name="refused">Told why a connection was refused (handshake failed, timed out, wrong protocol).</param>
    public MutualTlsListener(
        IPEndPoint endpoint,
        string alpn,
        string name,
        int stackSize,
        AgentCredentials credentials,
        ClientCertificatePolicy policy,
        Action<SslStream, Socket> serve,
        Action<string> refused)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        _socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        _socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _socket.Bind(endpoint);
        _socket.Listen(64);
        _alpn = alpn;
        _name = name;
        _stackSize = stackSize;
        _credentials = credentials;
        _policy = policy;
        _serve = serve;
        _refused = refused;
    }

    public int Port => ((IPEndPoint)_socket.LocalEndPoint!).Port;

    public void Start() => new Thread(Accept) { IsBackground = true, Name = $"{_name}-listener" }.Start();

    /// <summary>Stops accepting; connections being served are the owner's to close.</summary>
    public void Dispose()
    {
        _stopped = true;
        _socket.Dispose();
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
            new Thread(() => Serve(connection), _stackSize) { IsBackground = true, Name = _name }.Start();
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
                    ApplicationProtocols = [new SslApplicationProtocol(_alpn)],
                });
                if (tls.NegotiatedApplicationProtocol.ToString() != _alpn)
                {
                    throw new AuthenticationException($"the client does not speak {_alpn}");
                }

                Volatile.Write(ref made, 1);
            }
            catch (Exception e) when (e is AuthenticationException or IOException or ObjectDisposedException)
            {
                _refused(e.Message);
                tls.Dispose();
                return;
            }
        }

        _serve(tls, connection);
    }
}
