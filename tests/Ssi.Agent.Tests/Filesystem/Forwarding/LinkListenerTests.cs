using System.Buffers.Binary;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging.Abstractions;
using Ssi.Agent.Contracts.Security;
using Ssi.Agent.Filesystem;
using Ssi.Agent.Filesystem.Coherency;
using Ssi.Agent.Filesystem.Forwarding;
using Ssi.Agent.Filesystem.Fuse;
using Ssi.Agent.Filesystem.Local;
using Ssi.Agent.Security;
using Ssi.Agent.Tests.Security;
using Ssi.Orchestration.Certificates;

namespace Ssi.Agent.Tests.Filesystem.Forwarding;

/// <summary>The home's end of the links: who is let in, and what a linked node gets (replies, hints, invalidations).</summary>
public sealed class LinkListenerTests : IDisposable
{
    private const ulong Root = 1;
    private readonly string _directory = Directory.CreateTempSubdirectory("ssi-links-").FullName;
    private readonly ClusterCertificateAuthority _authority = ClusterCertificateAuthority.Create("test", DateTimeOffset.UtcNow);
    private readonly LocalFileSystem _fs;
    private readonly CoherencyHub _hub = new(NullLogger<CoherencyHub>.Instance, new NodeLiveness(TimeProvider.System, TimeSpan.FromSeconds(10)));
    private readonly LinkListener _listener;

    public LinkListenerTests()
    {
        var now = DateTimeOffset.UtcNow;
        _authority.Export().WriteTo(_directory, "ca");
        _authority.IssueAgent("ssi-agent-test-node1", ["node1"], [IPAddress.Loopback], now).WriteTo(_directory, "agent");
        _authority.IssueAgent("ssi-agent-test-node2", ["node2"], [IPAddress.Loopback], now).WriteTo(_directory, "node2");
        Directory.CreateDirectory(Path.Combine(_directory, "backing"));
        File.WriteAllText(Path.Combine(_directory, "backing", "f"), "x");
        _fs = new LocalFileSystem(Path.Combine(_directory, "backing"), TimeSpan.FromHours(1));
        var credentials = AgentCredentials.FromDirectory(_directory, "agent");
        var dispatcher = new FuseDispatcher(_fs, _hub, new Ssi.Agent.Filesystem.Locks.LockManager(), NullLogger<FuseDispatcher>.Instance);
        _listener = new LinkListener(new IPEndPoint(IPAddress.Loopback, 0), credentials, new ClientCertificatePolicy(credentials.Trust, NullLogger<ClientCertificatePolicy>.Instance), dispatcher, _hub, NullLogger.Instance);
        _listener.Start();
    }

    [Fact]
    public async Task A_link_without_a_client_certificate_is_refused()
    {
        var refused = await Record.ExceptionAsync(async () =>
        {
            using var tls = await ConnectAsync(certificate: null);
            // TLS 1.3 reports a refused client certificate on the first read.
            Assert.Equal(0, await tls.ReadAsync(new byte[16]));
        });

        Assert.True(refused is null or AuthenticationException or IOException, refused?.ToString());
    }

    [Fact]
    public async Task A_link_with_a_certificate_of_another_cluster_is_refused()
    {
        using var certificate = TestCertificates.OfAnotherCluster();

        var refused = await Record.ExceptionAsync(async () =>
        {
            using var tls = await ConnectAsync(certificate);
            Assert.Equal(0, await tls.ReadAsync(new byte[16]));
        });

        Assert.True(refused is null or AuthenticationException or IOException, refused?.ToString());
    }

    [Fact]
    public async Task A_node_that_claims_the_homes_own_index_is_refused_with_a_reason()
    {
        using var tls = await ConnectAsync(NodeCertificate());
        Hello(tls, _hub.HomeIndex);

        Assert.True(new LinkFrameReader(tls).Next(out var kind, out var payload));
        Assert.Equal(LinkFrameKind.Refused, kind);
        Assert.Contains("not accepted", System.Text.Encoding.UTF8.GetString(payload), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_linked_node_gets_its_lookup_answered_with_the_names_of_the_files_xattrs_behind_it()
    {
        using var tls = await ConnectAsync(NodeCertificate());
        var reader = Welcomed(tls, 1);

        tls.Write(Frame(Lookup(unique: 2, "f")));

        Assert.True(reader.Next(out var kind, out var payload));
        Assert.Equal(LinkFrameKind.Reply, kind);
        var (reply, hints) = LinkFrame.SplitReply(payload);
        Assert.Equal(2UL, BinaryPrimitives.ReadUInt64LittleEndian(reply.Span[8..]));
        var node = BinaryPrimitives.ReadUInt64LittleEndian(reply.Span[FuseProtocol.OutHeaderSize..]);
        var rest = hints.Span;
        Assert.True(LinkFrame.NextHint(ref rest, out var hinted, out var hintKind, out var names));
        Assert.Equal((node, HintKind.XattrNames, 0), (hinted, hintKind, names.Length));
    }

    [Fact]
    public async Task A_change_by_another_node_waits_until_the_linked_node_acknowledged_its_invalidation()
    {
        using var tls = await ConnectAsync(NodeCertificate());
        var reader = Welcomed(tls, 1);
        tls.Write(Frame(Lookup(unique: 2, "f")));
        Assert.True(reader.Next(out _, out var payload));
        var node = BinaryPrimitives.ReadUInt64LittleEndian(payload.AsSpan(FuseProtocol.OutHeaderSize));

        var change = Task.Run(() => _hub.Publish(origin: 2, [CacheInvalidation.Inode(node, 0)]));

        Assert.True(reader.Next(out var kind, out payload));
        Assert.Equal(LinkFrameKind.Invalidate, kind);
        var (id, invalidation) = LinkFrame.ReadInvalidation(payload);
        Assert.Equal(node, invalidation.NodeId);
        Assert.False(change.IsCompleted);
        var ack = new byte[16];
        tls.Write(ack.AsSpan(0, LinkFrame.Acknowledge(ack, id)));
        await change.WaitAsync(TimeSpan.FromSeconds(1.5)); // before the 2 s after which a silent node is skipped
    }

    public void Dispose()
    {
        _listener.Dispose();
        _fs.Dispose();
        _authority.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private X509Certificate2 NodeCertificate() => AgentCredentials.FromDirectory(_directory, "node2").Certificate;

    private static void Hello(SslStream tls, int index)
    {
        var hello = new byte[LinkFrame.HeaderSize + 16];
        tls.Write(hello.AsSpan(0, LinkFrame.Hello(hello, index, 1)));
        var end = new byte[LinkFrame.HeaderSize];
        tls.Write(end.AsSpan(0, LinkFrame.Empty(end, LinkFrameKind.HoldingsEnd)));
    }

    private static LinkFrameReader Welcomed(SslStream tls, int index)
    {
        Hello(tls, index);
        var reader = new LinkFrameReader(tls);
        Assert.True(reader.Next(out var kind, out _));
        Assert.Equal(LinkFrameKind.Welcome, kind);
        return reader;
    }

    private static byte[] Lookup(ulong unique, string name)
    {
        var message = new byte[FuseProtocol.InHeaderSize + name.Length + 1];
        BinaryPrimitives.WriteUInt32LittleEndian(message, (uint)message.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(message.AsSpan(4), (uint)FuseOpcode.Lookup);
        BinaryPrimitives.WriteUInt64LittleEndian(message.AsSpan(8), unique);
        BinaryPrimitives.WriteUInt64LittleEndian(message.AsSpan(16), Root);
        System.Text.Encoding.ASCII.GetBytes(name, message.AsSpan(FuseProtocol.InHeaderSize));
        return message;
    }

    private static byte[] Frame(byte[] request)
    {
        var frame = new byte[LinkFrame.HeaderSize + request.Length];
        request.CopyTo(frame, LinkFrame.HeaderSize);
        LinkFrame.WriteHeader(frame, LinkFrameKind.Request);
        return frame;
    }

    private async Task<SslStream> ConnectAsync(X509Certificate2? certificate)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, _listener.Port);
        var tls = new SslStream(new NetworkStream(socket, ownsSocket: true));
        var trust = ClusterTrust.FromPemFile(Path.Combine(_directory, "ca.crt"));
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "node1",
            ClientCertificates = certificate is null ? null : [certificate],
            ApplicationProtocols = [new SslApplicationProtocol(LinkFrame.Alpn)],
            RemoteCertificateValidationCallback = (_, c, _, _) => trust.IsTrustedServer(c as X509Certificate2, "node1", out _),
        });
        return tls;
    }
}
