using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Ssi.Agent.Filesystem.Forwarding;
using Ssi.Agent.Filesystem.Fuse;
using Ssi.Agent.Tests.Security;
using Ssi.Orchestration.Certificates;

namespace Ssi.Agent.Tests.Filesystem.Forwarding;

/// <summary>
/// A home that the test drives by hand: it takes a node's filesystem link (mutual TLS, ALPN ssi-fs/1),
/// welcomes it, hands the test every FUSE request that arrives and sends whatever replies the test
/// writes, in whatever order.
/// </summary>
internal sealed class FakeHome : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly TaskCompletionSource<X509Certificate2> _certificate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly BlockingCollection<byte[]> _requests = [];
    private readonly List<IDisposable> _owned = [];
    private readonly List<(ulong Node, long Lookups)> _held = [];
    private readonly SemaphoreSlim _linked = new(0);
    private volatile LinkWriter? _writer;
    private (ulong Node, long Lookups)[] _reported = [];
    private volatile SslStream? _current;

    private FakeHome()
    {
        _listener.Start();
        _ = Task.Run(AcceptAsync);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public static FakeHome Start() => new();

    /// <summary>Serves links with a certificate for node1 from <paramref name="authority"/> (known only once the node's agent exists).</summary>
    public void Serve(ClusterCertificateAuthority authority)
    {
        var files = authority.IssueAgent("ssi-agent-test-node1", ["node1"], [IPAddress.Loopback], DateTimeOffset.UtcNow);
        var certificate = TestCertificates.Load(files);
        _owned.Add(certificate);
        _certificate.TrySetResult(certificate);
    }

    /// <summary>The next request with <paramref name="opcode"/> (others are dropped), within 30 s (a loaded machine starts processes slowly).</summary>
    public byte[] Next(FuseOpcode opcode)
    {
        while (_requests.TryTake(out var request, TimeSpan.FromSeconds(30)))
        {
            if ((FuseOpcode)BinaryPrimitives.ReadUInt32LittleEndian(request.AsSpan(4)) == opcode)
            {
                return request;
            }
        }

        throw new TimeoutException($"no {opcode} reached the home");
    }

    /// <summary>Waits for the next node to be welcomed and returns the node ids (with lookup counts) it said its kernel holds.</summary>
    public (ulong Node, long Lookups)[] NextLink()
    {
        if (!_linked.Wait(TimeSpan.FromSeconds(30)))
        {
            throw new TimeoutException("no node linked");
        }

        return Volatile.Read(ref _reported);
    }

    /// <summary>Closes the current link (the node sees the home go away and reconnects).</summary>
    public void Drop() => _current?.Dispose();

    /// <summary>Sends one FUSE reply (header included).</summary>
    public void Reply(ReadOnlySpan<byte> fuseReply)
    {
        var frame = new byte[LinkFrame.HeaderSize + fuseReply.Length];
        fuseReply.CopyTo(frame.AsSpan(LinkFrame.HeaderSize));
        LinkFrame.WriteHeader(frame, LinkFrameKind.Reply);
        (_writer ?? throw new InvalidOperationException("no node is linked")).Write(frame);
    }

    public void Dispose()
    {
        _listener.Stop();
        _requests.CompleteAdding();
        _linked.Dispose();
        foreach (var owned in _owned)
        {
            owned.Dispose();
        }
    }

    private async Task AcceptAsync()
    {
        while (true)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }

            var tls = new SslStream(new NetworkStream(socket, ownsSocket: true));
            _owned.Add(tls);
            await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
            {
                ServerCertificate = await _certificate.Task,
                ClientCertificateRequired = true,
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
                ApplicationProtocols = [new SslApplicationProtocol(LinkFrame.Alpn)],
            });
            new Thread(() => Serve(tls)) { IsBackground = true }.Start();
        }
    }

    private static bool IsRootGetAttr(ReadOnlySpan<byte> request) =>
        (FuseOpcode)BinaryPrimitives.ReadUInt32LittleEndian(request[4..]) == FuseOpcode.GetAttr && BinaryPrimitives.ReadUInt64LittleEndian(request[16..]) == FuseProtocol.RootId;

    private static byte[] RootAttributes(ulong unique)
    {
        var buffer = new byte[FuseProtocol.OutHeaderSize + FuseProtocol.AttrOutSize];
        var reply = new FuseReply(buffer);
        reply.U64(0); // attr_valid: ask every time
        reply.U32(0);
        reply.U32(0);
        reply.Attr(new Ssi.Agent.Filesystem.NodeAttributes(FuseProtocol.RootId, 4096, 8, 0, 0, 0, 0, 0, 0, 0x41ed, 2, 0, 0, 0, 4096));
        return reply.Finish(unique).ToArray();
    }

    private void Serve(SslStream tls)
    {
        _current = tls;
        var writer = new LinkWriter(tls);
        var reader = new LinkFrameReader(tls);
        var buffer = new byte[64];
        try
        {
            while (reader.Next(out var kind, out var payload))
            {
                switch (kind)
                {
                    case LinkFrameKind.Hello:
                        _held.Clear();
                        break;
                    case LinkFrameKind.Holdings:
                        _held.AddRange(LinkFrame.ReadHoldings(payload).Held);
                        break;
                    case LinkFrameKind.HoldingsEnd:
                        // Welcomed once the node told what its kernel holds.
                        Volatile.Write(ref _reported, [.. _held]);
                        _writer = writer;
                        writer.Write(buffer.AsSpan(0, LinkFrame.Welcome(buffer)));
                        _linked.Release();
                        break;
                    case LinkFrameKind.Request when IsRootGetAttr(payload):
                        // The kernel checks the root's permissions before any lookup in it.
                        Reply(RootAttributes(BinaryPrimitives.ReadUInt64LittleEndian(payload.AsSpan(8))));
                        break;
                    case LinkFrameKind.Request:
                        _requests.Add(payload.ToArray());
                        break;
                    case LinkFrameKind.Ping:
                        writer.Write(buffer.AsSpan(0, LinkFrame.Empty(buffer, LinkFrameKind.Pong)));
                        break;
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
            // the node went away
        }
    }
}
