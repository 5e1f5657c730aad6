using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Ssi.Agent.Contracts.Security;
using Ssi.Agent.Filesystem.Coherency;
using Ssi.Agent.Filesystem.Fuse;
using Ssi.Agent.Native.Fuse;

namespace Ssi.Agent.Filesystem.Forwarding;

/// <summary>
/// A forwarding node's link to the home: one mutual-TLS connection on the home agent's port (ALPN
/// <see cref="LinkFrame.Alpn"/>) that carries this kernel's FUSE requests, many at once, and brings back
/// the replies and the home's invalidations. A FUSE thread sends a request and goes back to
/// /dev/fuse; the link's reader thread writes each reply into /dev/fuse as it arrives; nobody waits per
/// request. A request not answered in time fails with EIO; when the home cannot be reached requests fail
/// with ENOTCONN; the link reconnects by itself, and a node that reconnects drops what it cached.
/// </summary>
internal sealed class HomeLink : IFuseRequestHandler, IFuseInterruptHandler, IDisposable
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan PingAfter = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(500);

    /// <summary>How long, and how many, node ids the kernel let go stay counted at the home (see <see cref="NodeHoldings"/>).</summary>
    private const long RetainMilliseconds = 30_000;
    private const int RetainedCapacity = 8192;

    /// <summary>Retained files let go at most this many at a time (every 100 ms and with each FORGET), so that the home's link thread is never long behind.</summary>
    private const int ExpiredPerCall = 128;

    /// <summary>What <see cref="AnswerLocally"/> returns when it wrote the reply into the kernel itself.</summary>
    private const int Answered = -2;

    /// <summary>FORGETs sent to the home in one BATCH_FORGET at most.</summary>
    private const int ForgetBatch = 1024;

    /// <summary>Requests larger than this (writes) are not copied behind their frame header: two writes are cheaper than a copy.</summary>
    private const int LargeRequest = 64 * 1024;

    [ThreadStatic]
    private static byte[]? t_frame;

    private readonly string _host;
    private readonly int _port;
    private readonly string _serverName;
    private readonly AgentCredentials _credentials;
    private readonly int _nodeIndex;
    private readonly FuseDevice _device;
    private readonly TimeSpan _timeout;
    private readonly ILogger _logger;
    private readonly PendingRequests _pending = new();
    private readonly NodeHoldings _holdings = new();
    private readonly ForwardingCache _cache;
    private readonly ulong _incarnation;
    private readonly Lock _stateLock = new();

    /// <summary>Held while a lookup is answered here and its reply written, and while an invalidation is taken (see <see cref="AnswerLocally"/>).</summary>
    private readonly Lock _answerLock = new();
    private readonly BlockingCollection<(Connection Link, ulong Id, CacheInvalidation Change)> _invalidations = [];
    private readonly TaskCompletionSource _registered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Thread> _threads = [];
    private Connection? _connection;
    private bool _connecting = true;
    private int _generation;

    /// <param name="incarnation">This run of the node's mount: the home drops what an earlier run held (locks, open files) when it sees another.</param>
    public HomeLink(string endpoint, string serverName, AgentCredentials credentials, int nodeIndex, ulong incarnation, FuseDevice device, TimeSpan timeout, TimeSpan cacheTimeout, ILogger logger)
    {
        _incarnation = incarnation;
        _cache = new ForwardingCache(cacheTimeout, _holdings.IsHeld);
        ArgumentException.ThrowIfNullOrEmpty(endpoint);
        var colon = endpoint.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(endpoint.AsSpan(colon + 1), out _port))
        {
            throw new ArgumentException($"the home endpoint \"{endpoint}\" is not host:port", nameof(endpoint));
        }

        _host = endpoint[..colon].Trim('[', ']');
        _serverName = serverName;
        _credentials = credentials;
        _nodeIndex = nodeIndex;
        _device = device;
        _timeout = timeout;
        _logger = logger;
    }

    /// <summary>Completes once the home has registered this node for invalidations (from then on it misses none).</summary>
    public Task Registered => _registered.Task;

    public void Start()
    {
        StartThread("fs-link", Connector);
        StartThread("fs-link-timer", Timer);
        StartThread("fs-link-invalidations", ApplyInvalidations);
    }

    /// <summary>A request of this node's kernel: sent to the home; the reply comes later through the link's reader.</summary>
    public int Handle(ReadOnlySpan<byte> request, Span<byte> output)
    {
        var opcode = (FuseOpcode)BinaryPrimitives.ReadUInt32LittleEndian(request[4..]);
        var unique = BinaryPrimitives.ReadUInt64LittleEndian(request[8..]);
        if (opcode is FuseOpcode.Forget or FuseOpcode.BatchForget)
        {
            // What the kernel no longer holds at all is retained when this node can answer lookups of
            // it (the home goes on telling this node of its changes), else let go at once.
            var released = new List<ulong>();
            var forgets = new List<(ulong Node, long Lookups)>();
            _holdings.Observe(request, [], released, forgets);
            var now = Environment.TickCount64;
            foreach (var node in released)
            {
                if (_cache.Retainable(node))
                {
                    _holdings.Retain(node, now);
                }
                else if (_holdings.Drop(node) is var lookups and > 0)
                {
                    forgets.Add((node, lookups));
                }
            }

            forgets.AddRange(_holdings.Expire(now, RetainMilliseconds, RetainedCapacity, ExpiredPerCall));
            SendForgets(forgets);
            return 0;
        }

        var nodeId = BinaryPrimitives.ReadUInt64LittleEndian(request[16..]);
        var local = AnswerLocally(opcode, nodeId, request, output);
        if (local == Answered)
        {
            return 0; // the reply is in the kernel already
        }

        if (local > 0)
        {
            return local;
        }

        if (opcode == FuseOpcode.Release)
        {
            _holdings.Observe(request, []); // no longer open
        }

        var deadline = ForwardingPolicy.Deadline(opcode, _timeout) is { } wait ? Environment.TickCount64 + (long)wait.TotalMilliseconds : long.MaxValue;
        var epoch = _cache.Epoch;
        Connection? connection;
        lock (_stateLock)
        {
            connection = _connection;
            if (connection is null && !_connecting)
            {
                return FuseReply.Error(output, unique, Errno.ENOTCONN).Length;
            }

            // While a connection is being made, the request waits for it (its bytes are kept).
            var unsent = connection is null ? request.ToArray() : null;
            _pending.Add(unique, new PendingRequest(opcode, nodeId, deadline, connection?.Generation ?? 0, epoch, unsent, ForwardingCache.NameOf(opcode, request)));
        }

        if (connection is not null)
        {
            Send(connection, request);
        }

        return 0;
    }

    /// <summary>
    /// Requests this node answers itself, as the home would: attributes, absent extended attributes and
    /// absent names it knows (<see cref="ForwardingCache"/>), read-only opens and their closes (the home reads through a
    /// shared handle), FLUSH (writes are acknowledged by the home before they return; only POSIX locks,
    /// released by FLUSH, need it there), and ioctl (the home implements none). Returns the reply's
    /// length, <see cref="Answered"/> when the reply is written already, or 0 to forward.
    /// </summary>
    private int AnswerLocally(FuseOpcode opcode, ulong node, ReadOnlySpan<byte> request, Span<byte> output)
    {
        var unique = BinaryPrimitives.ReadUInt64LittleEndian(request[8..]);
        var body = request[FuseProtocol.InHeaderSize..];
        switch (opcode)
        {
            case FuseOpcode.GetAttr or FuseOpcode.GetXattr:
                return _cache.TryAnswer(request, output);
            case FuseOpcode.Lookup:
            {
                // A name answered with a file: the kernel holds one more lookup of it, which the home
                // must go on counting for this node (refused when it was let go meanwhile: then ask).
                // The reply reaches the kernel before an invalidation of what it says is taken: an
                // invalidation of an inode the kernel does not have yet would be lost, and the kernel
                // would cache the attributes the reply carried.
                lock (_answerLock)
                {
                    var length = _cache.TryAnswer(request, output, out var looked);
                    if (looked == 0)
                    {
                        return length;
                    }

                    if (!_holdings.LocalLookup(looked))
                    {
                        return 0;
                    }

                    _ = _device.Write(output[..length]);
                    return Answered;
                }
            }

            case FuseOpcode.Open when ForwardingPolicy.OpensLocally(BinaryPrimitives.ReadUInt32LittleEndian(body)) && !_cache.IsVolatile(node):
            {
                var reply = new FuseReply(output);
                reply.OpenOut(FileHandles.SharedRead, FuseProtocol.FopenKeepCache);
                return reply.Finish(unique).Length;
            }

            case FuseOpcode.Release when ForwardingPolicy.ReleasesLocally(BinaryPrimitives.ReadUInt64LittleEndian(body), BinaryPrimitives.ReadUInt32LittleEndian(body[12..])):
            case FuseOpcode.Flush when !_cache.IsLocking(node):
                return new FuseReply(output).Finish(unique).Length;
            case FuseOpcode.Ioctl:
                return FuseReply.Error(output, unique, Errno.ENOSYS).Length;
            case FuseOpcode.GetLk or FuseOpcode.SetLk or FuseOpcode.SetLkW:
                _cache.NoteLocking(node);
                return 0;
            default:
                return 0;
        }
    }

    /// <summary>
    /// The kernel interrupts request <paramref name="unique"/>: if it is a lock wait, the home is told,
    /// which ends it (or answers EAGAIN while the wait has not reached it: the kernel then asks again).
    /// Other forwarded requests end by themselves within the timeout (true: nothing more to do; an
    /// EAGAIN would make the kernel resend the interrupt at once, again and again); false for a request
    /// not seen yet (the kernel asks again) or answered already (the kernel ignores the answer).
    /// </summary>
    public bool Interrupt(ulong unique)
    {
        switch (_pending.StateOf(unique))
        {
            case PendingState.Unknown:
                return false;
            case PendingState.Pending:
                return true;
        }

        if (Volatile.Read(ref _connection) is { } link)
        {
            // The INTERRUPT the kernel sent: its unique is the request's with the lowest bit set.
            Span<byte> message = stackalloc byte[FuseProtocol.InHeaderSize + 8];
            message.Clear();
            BinaryPrimitives.WriteUInt32LittleEndian(message, (uint)message.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(message[4..], (uint)FuseOpcode.Interrupt);
            BinaryPrimitives.WriteUInt64LittleEndian(message[8..], unique | 1);
            BinaryPrimitives.WriteUInt64LittleEndian(message[FuseProtocol.InHeaderSize..], unique);
            Send(link, message);
        }

        return true;
    }

    public void Dispose()
    {
        _stop.Cancel();
        lock (_stateLock)
        {
            _connection?.Close();
        }

        _invalidations.CompleteAdding();
        foreach (var thread in _threads)
        {
            thread.Join(TimeSpan.FromSeconds(2));
        }

        _stop.Dispose();
        _invalidations.Dispose();
    }

    private void StartThread(string name, Action run)
    {
        var thread = new Thread(() => run()) { IsBackground = true, Name = name };
        _threads.Add(thread);
        thread.Start();
    }

    /// <summary>Makes the link, serves it until it breaks, and makes it again, until the agent stops.</summary>
    private void Connector()
    {
        var reported = false;
        while (!_stop.IsCancellationRequested)
        {
            Connection link;
            try
            {
                link = Connect(Interlocked.Increment(ref _generation));
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or TimeoutException or LinkProtocolException or ObjectDisposedException or System.Security.Authentication.AuthenticationException)
            {
                if (_stop.IsCancellationRequested)
                {
                    return;
                }

                List<ulong> failed;
                lock (_stateLock)
                {
                    _connecting = false; // until the next attempt, requests fail at once
                    failed = _pending.TakeUnsent();
                }

                Fail(failed, Errno.ENOTCONN);
                if (!reported)
                {
                    FsLog.HomeUnreachable(_logger, e.Message);
                    reported = true;
                }

                _stop.Token.WaitHandle.WaitOne(RetryDelay);
                lock (_stateLock)
                {
                    _connecting = true;
                }

                continue;
            }

            reported = false;
            lock (_answerLock)
            {
                _cache.Clear(); // changes made while away were not told
            }

            lock (_stateLock)
            {
                _connection = link;
                foreach (var request in _pending.SendUnsent(link.Generation))
                {
                    Send(link, request);
                }
            }

            _registered.TrySetResult();
            FsLog.LinkUp(_logger, $"{_host}:{_port}");
            WaitHandle.WaitAny([link.Closed, _stop.Token.WaitHandle]);
            link.Close();
            List<ulong> lost;
            lock (_stateLock)
            {
                _connection = null;
                _connecting = true;
                lost = _pending.TakeSentOn(link.Generation);
            }

            lock (_answerLock)
            {
                _cache.Clear();
            }

            Fail(lost, Errno.ENOTCONN);
            // Nobody tells this node of changes now: the kernel drops what it cached of every node id it holds.
            foreach (var (node, _) in _holdings.Snapshot().Held)
            {
                FuseNotifier.Push(_device, CacheInvalidation.Inode(node, 0));
            }

            if (!_stop.IsCancellationRequested)
            {
                FsLog.LinkDown(_logger, link.Reason, lost.Count);
            }
        }
    }

    private Connection Connect(int generation)
    {
        // Blocking calls only: a socket that ever did an asynchronous operation stays non-blocking in
        // .NET, and its blocking reads then wait on the socket engine's thread (a hop per reply).
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var made = 0;
        using var deadline = new Timer(_ => { if (Volatile.Read(ref made) == 0) socket.Dispose(); }, null, ConnectTimeout + HandshakeTimeout, Timeout.InfiniteTimeSpan);
        using var stopping = _stop.Token.Register(() => { if (Volatile.Read(ref made) == 0) socket.Dispose(); });
        try
        {
            socket.Connect(Dns.GetHostAddresses(_host), _port);
            var tls = new SslStream(new NetworkStream(socket, ownsSocket: true), leaveInnerStreamOpen: false);
            tls.AuthenticateAsClient(new SslClientAuthenticationOptions
            {
                TargetHost = _host,
                ClientCertificates = [_credentials.Certificate],
                ApplicationProtocols = [new SslApplicationProtocol(LinkFrame.Alpn)],
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                    _credentials.Trust.IsTrustedServer(certificate as X509Certificate2, _serverName, out _),
            });
            if (tls.NegotiatedApplicationProtocol.ToString() != LinkFrame.Alpn)
            {
                tls.Dispose();
                throw new LinkProtocolException("the home's agent does not take filesystem links");
            }

            var link = new Connection(generation, tls);
            var reader = new Thread(() => Read(link)) { IsBackground = true, Name = $"fs-link-reader-{generation}" };
            reader.Start();
            // Who this is, and what its kernel holds (a home that restarted learns it again from this).
            var hello = new byte[LinkFrame.HeaderSize + 16];
            link.Writer.Write(hello.AsSpan(0, LinkFrame.Hello(hello, _nodeIndex, _incarnation)));
            var (held, open) = _holdings.Snapshot();
            foreach (var holdings in LinkFrame.Holdings(held, open))
            {
                link.Writer.Write(holdings);
            }

            Span<byte> end = stackalloc byte[LinkFrame.HeaderSize];
            link.Writer.Write(end[..LinkFrame.Empty(end, LinkFrameKind.HoldingsEnd)]);
            if (WaitHandle.WaitAny([link.Welcomed, link.Closed, _stop.Token.WaitHandle], HandshakeTimeout) != 0)
            {
                link.Close();
                throw new TimeoutException($"the home did not register this node: {link.Reason}");
            }

            Volatile.Write(ref made, 1);
            return link;
        }
        catch (ObjectDisposedException) when (!_stop.IsCancellationRequested)
        {
            throw new TimeoutException($"the home did not answer within {(ConnectTimeout + HandshakeTimeout).TotalSeconds} s");
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>The link's reader: replies go straight into /dev/fuse; invalidations to their own thread.</summary>
    private void Read(Connection link)
    {
        try
        {
            var reader = new LinkFrameReader(link.Stream);
            while (reader.Next(out var kind, out var payload))
            {
                link.Touch();
                switch (kind)
                {
                    case LinkFrameKind.Reply:
                        OnReply(payload);
                        break;
                    case LinkFrameKind.Invalidate:
                        var (id, change) = LinkFrame.ReadInvalidation(payload);
                        // Never from this thread: pushing an invalidation can wait for a page that a
                        // reply behind it in this very stream would unlock.
                        _invalidations.Add((link, id, change));
                        break;
                    case LinkFrameKind.Welcome:
                        link.Welcome();
                        break;
                    case LinkFrameKind.Refused:
                        link.Close(System.Text.Encoding.UTF8.GetString(payload));
                        return;
                    case LinkFrameKind.Ping:
                        SendFrame(link, LinkFrameKind.Pong);
                        break;
                    case LinkFrameKind.Pong:
                        break;
                    default:
                        throw new LinkProtocolException($"the home does not send {kind}");
                }
            }

            link.Close("the home closed the link");
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or LinkProtocolException or InvalidOperationException)
        {
            link.Close(e.Message);
        }
    }

    private void OnReply(ArraySegment<byte> payload)
    {
        var (reply, hints) = LinkFrame.SplitReply(payload);
        var unique = BinaryPrimitives.ReadUInt64LittleEndian(reply.Span[8..]);
        if ((unique & 1) != 0)
        {
            // An odd unique answers an INTERRUPT (EAGAIN: ask again); it has no pending entry.
            _ = _device.Write(reply.Span);
        }
        else if (_pending.TryTake(unique, out var sent))
        {
            // Before the kernel sees the reply: what it now holds, and what its next question may be answered from.
            _holdings.ObserveReply(sent.Opcode, sent.NodeId, reply.Span);
            _cache.Learn(sent, reply.Span, hints.Span);
            _ = _device.Write(reply.Span);
        }
    }

    private void ApplyInvalidations()
    {
        Span<byte> ack = stackalloc byte[LinkFrame.HeaderSize + 8];
        try
        {
            foreach (var (link, id, change) in _invalidations.GetConsumingEnumerable())
            {
                lock (_answerLock)
                {
                    _cache.Invalidate(change);
                }

                FuseNotifier.Push(_device, change);
                if (!change.IsEntry && _holdings.Drop(change.NodeId) is var lookups and > 0)
                {
                    // A retained file changed (a removed one's storage waits for every node's FORGET):
                    // nothing is known of it to answer with any more; let it go.
                    SendForgets([(change.NodeId, lookups)]);
                }

                try
                {
                    link.Writer.Write(ack[..LinkFrame.Acknowledge(ack, id)]);
                }
                catch (Exception e) when (e is IOException or ObjectDisposedException)
                {
                    link.Close(e.Message);
                }
            }
        }
        catch (ObjectDisposedException)
        {
            // stopping
        }
    }

    /// <summary>Fails requests past their deadline, and keeps the link honest: pings when quiet, closes it when the home went silent.</summary>
    private void Timer()
    {
        while (!_stop.Token.WaitHandle.WaitOne(100))
        {
            Fail(_pending.TakeExpired(Environment.TickCount64), Errno.EIO);
            SendForgets(_holdings.Expire(Environment.TickCount64, RetainMilliseconds, RetainedCapacity, ExpiredPerCall));
            if (Volatile.Read(ref _connection) is not { } link)
            {
                continue;
            }

            var quiet = Environment.TickCount64 - link.LastReceived;
            if (quiet > Math.Max(_timeout.TotalMilliseconds, 3000))
            {
                link.Close($"nothing heard from the home for {quiet} ms");
            }
            else if (quiet > PingAfter.TotalMilliseconds && Environment.TickCount64 - link.LastPing > PingAfter.TotalMilliseconds)
            {
                link.LastPing = Environment.TickCount64;
                SendFrame(link, LinkFrameKind.Ping);
            }
        }
    }

    /// <summary>
    /// Node ids the home may stop counting for this node: what this node knows of them goes first, then
    /// BATCH_FORGETs tell the home. Lost when the home is unreachable: the holdings this node reports when
    /// it comes back set the home's counts right.
    /// </summary>
    private void SendForgets(List<(ulong Node, long Lookups)> forgets)
    {
        if (forgets.Count == 0)
        {
            return;
        }

        foreach (var (node, _) in forgets)
        {
            _cache.Released(node);
        }

        if (Volatile.Read(ref _connection) is not { } link)
        {
            return;
        }

        for (var start = 0; start < forgets.Count; start += ForgetBatch)
        {
            var count = Math.Min(ForgetBatch, forgets.Count - start);
            var message = new byte[FuseProtocol.InHeaderSize + 8 + (count * 16)];
            BinaryPrimitives.WriteUInt32LittleEndian(message, (uint)message.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(message.AsSpan(4), (uint)FuseOpcode.BatchForget);
            BinaryPrimitives.WriteUInt32LittleEndian(message.AsSpan(FuseProtocol.InHeaderSize), (uint)count);
            for (var i = 0; i < count; i++)
            {
                var (node, lookups) = forgets[start + i];
                BinaryPrimitives.WriteUInt64LittleEndian(message.AsSpan(FuseProtocol.InHeaderSize + 8 + (i * 16)), node);
                BinaryPrimitives.WriteUInt64LittleEndian(message.AsSpan(FuseProtocol.InHeaderSize + 16 + (i * 16)), (ulong)lookups);
            }

            Send(link, message);
        }
    }

    private void Fail(List<ulong> uniques, int errno)
    {
        Span<byte> reply = stackalloc byte[FuseProtocol.OutHeaderSize];
        foreach (var unique in uniques)
        {
            _ = _device.Write(FuseReply.Error(reply, unique, errno));
        }
    }

    /// <summary>Sends a request frame: small ones copied behind their header (one TLS record), large ones (writes) as they are.</summary>
    private static void Send(Connection link, ReadOnlySpan<byte> request)
    {
        try
        {
            if (request.Length > LargeRequest)
            {
                Span<byte> header = stackalloc byte[LinkFrame.HeaderSize];
                LinkFrame.WriteHeader(header, LinkFrameKind.Request, LinkFrame.HeaderSize + request.Length);
                link.Writer.Write(header, request);
                return;
            }

            var frame = t_frame ??= GC.AllocateUninitializedArray<byte>(LinkFrame.HeaderSize + LargeRequest);
            request.CopyTo(frame.AsSpan(LinkFrame.HeaderSize));
            var length = LinkFrame.HeaderSize + request.Length;
            LinkFrame.WriteHeader(frame.AsSpan(0, length), LinkFrameKind.Request);
            link.Writer.Write(frame.AsSpan(0, length));
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or NotSupportedException)
        {
            // The connector fails whatever was sent on this link.
            link.Close(e.Message);
        }
    }

    private static void SendFrame(Connection link, LinkFrameKind kind)
    {
        Span<byte> frame = stackalloc byte[LinkFrame.HeaderSize];
        try
        {
            link.Writer.Write(frame[..LinkFrame.Empty(frame, kind)]);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or NotSupportedException)
        {
            link.Close(e.Message);
        }
    }

    /// <summary>One connection to the home.</summary>
    private sealed class Connection(int generation, SslStream stream)
    {
        private readonly ManualResetEvent _closed = new(false);
        private readonly ManualResetEvent _welcomed = new(false);
        private long _lastReceived = Environment.TickCount64;
        private string _reason = "";

        public int Generation { get; } = generation;

        public SslStream Stream { get; } = stream;

        public LinkWriter Writer { get; } = new(stream);

        public WaitHandle Closed => _closed;

        public WaitHandle Welcomed => _welcomed;

        public long LastReceived => Volatile.Read(ref _lastReceived);

        public long LastPing { get; set; }

        public string Reason => Volatile.Read(ref _reason);

        public void Touch() => Volatile.Write(ref _lastReceived, Environment.TickCount64);

        public void Welcome() => _welcomed.Set();

        public void Close(string reason = "closed")
        {
            if (Interlocked.CompareExchange(ref _reason, reason, "") == "")
            {
                Stream.Dispose();
                _closed.Set();
            }
        }
    }
}
