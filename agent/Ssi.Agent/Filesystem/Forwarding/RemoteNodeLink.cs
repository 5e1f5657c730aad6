using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Ssi.Agent.Filesystem.Coherency;
using Ssi.Agent.Filesystem.Fuse;

namespace Ssi.Agent.Filesystem.Forwarding;

/// <summary>
/// The home's end of one forwarding node's link: reads that node's FUSE requests on a thread of its
/// own and runs each through the same dispatcher as the home's own kernel requests, quick questions
/// right there, everything that may wait (on other nodes' acknowledgements, the disk, a lock) on a
/// pool thread, so that a slow request holds up no other; writes each reply back as soon as it is
/// ready, with hints; sends the node its invalidations and takes its acknowledgements.
/// </summary>
internal sealed class RemoteNodeLink
{
    /// <summary>A node that sent nothing for this long (it pings every second) is gone.</summary>
    public static readonly TimeSpan SilenceLimit = TimeSpan.FromSeconds(15);

    private readonly Stream _stream;
    private readonly LinkWriter _writer;
    private readonly FuseDispatcher _dispatcher;
    private readonly CoherencyHub _hub;

    /// <summary>Reads and writes up to this size are answered on the link's own thread.</summary>
    private const int InlineBytes = 128 * 1024;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<ulong, byte> _waiting = new();
    private readonly LinkWorkers _workers;
    private long _lastReceived = Environment.TickCount64;
    private int _origin = -1;

    public RemoteNodeLink(Stream stream, FuseDispatcher dispatcher, CoherencyHub hub, LinkWorkers workers, ILogger logger)
    {
        _workers = workers;
        _stream = stream;
        _writer = new LinkWriter(stream);
        _dispatcher = dispatcher;
        _hub = hub;
        _logger = logger;
    }

    /// <summary>Serves the link until it ends (blocking: on a thread of its own).</summary>
    public void Run()
    {
        using var watchdog = new Timer(_ => CloseIfSilent(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        try
        {
            Serve();
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or LinkProtocolException)
        {
            FsLog.LinkEnded(_logger, _origin, e.Message);
        }
        finally
        {
            Close();
        }
    }

    /// <summary>Ends the link (the agent stops, or the node went silent).</summary>
    public void Close() => _stream.Dispose();

    /// <summary>The reply to a request answered <see cref="FuseReply.Later"/> (a lock wait that ended).</summary>
    internal void SendLate(ulong unique, ReadOnlySpan<byte> reply)
    {
        _waiting.TryRemove(unique, out _);
        var frame = ArrayPool<byte>.Shared.Rent(LinkFrame.HeaderSize + reply.Length);
        try
        {
            reply.CopyTo(frame.AsSpan(LinkFrame.HeaderSize));
            LinkFrame.WriteHeader(frame.AsSpan(0, LinkFrame.HeaderSize + reply.Length), LinkFrameKind.Reply);
            _writer.Write(frame.AsSpan(0, LinkFrame.HeaderSize + reply.Length));
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The link is gone: the node failed the request already.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(frame);
        }
    }

    /// <summary>
    /// Requests answered right where they are read, in their order: quick questions that never wait
    /// for anything but the disk. Everything else (changes, which wait for other nodes'
    /// acknowledgements; reads and listings, which may be long; lock waits) runs on another thread.
    /// </summary>
    internal static bool AnswersInline(FuseOpcode opcode) => opcode is FuseOpcode.Lookup or FuseOpcode.GetAttr
        or FuseOpcode.GetXattr or FuseOpcode.ListXattr or FuseOpcode.ReadLink or FuseOpcode.StatFs or FuseOpcode.OpenDir
        or FuseOpcode.ReleaseDir or FuseOpcode.Release or FuseOpcode.Flush or FuseOpcode.Lseek or FuseOpcode.Access
        or FuseOpcode.Interrupt;

    private void Serve()
    {
        var reader = new LinkFrameReader(_stream);
        if (!reader.Next(out var kind, out var payload))
        {
            return;
        }

        Touch();
        if (kind != LinkFrameKind.Hello)
        {
            throw new LinkProtocolException($"the first frame is {kind}, not Hello");
        }

        var (version, origin, incarnation) = LinkFrame.ReadHello(payload);
        if (version != LinkFrame.Version || origin is < 0 or > 63 || origin == _hub.HomeIndex)
        {
            Send(buffer => LinkFrame.Refused(buffer, $"link version {version} from node index {origin} is not accepted (version {LinkFrame.Version}, indexes 0-63 other than the home's {_hub.HomeIndex})"));
            return;
        }

        _origin = origin;
        var watcher = _hub.Join(origin, incarnation, SendInvalidation);
        try
        {
            while (reader.Next(out kind, out payload))
            {
                Touch();
                switch (kind)
                {
                    case LinkFrameKind.Holdings:
                        var (held, open) = LinkFrame.ReadHoldings(payload);
                        _hub.Reported(origin, watcher, held, open);
                        break;
                    case LinkFrameKind.HoldingsEnd:
                        // Registered, and what its kernel holds is known: from now on it misses no invalidation.
                        Send(LinkFrame.Welcome);
                        break;
                    case LinkFrameKind.Request:
                        OnRequest(payload);
                        break;
                    case LinkFrameKind.Acknowledge:
                        watcher.Acknowledge(LinkFrame.ReadAcknowledge(payload));
                        break;
                    case LinkFrameKind.Ping:
                        Send(buffer => LinkFrame.Empty(buffer, LinkFrameKind.Pong));
                        break;
                    case LinkFrameKind.Pong:
                        break;
                    default:
                        throw new LinkProtocolException($"a node does not send {kind}");
                }
            }
        }
        finally
        {
            _hub.Leave(origin, watcher);
            // Lock waits of a node that is gone end as if interrupted.
            foreach (var unique in _waiting.Keys)
            {
                _dispatcher.Interrupt(origin, unique);
            }
        }
    }

    private void OnRequest(ArraySegment<byte> payload)
    {
        var message = payload.AsSpan();
        if (message.Length < FuseProtocol.InHeaderSize || BinaryPrimitives.ReadUInt32LittleEndian(message) != message.Length)
        {
            throw new LinkProtocolException($"a request frame of {message.Length} bytes does not hold one FUSE request");
        }

        var opcode = (FuseOpcode)BinaryPrimitives.ReadUInt32LittleEndian(message[4..]);
        var unique = BinaryPrimitives.ReadUInt64LittleEndian(message[8..]);
        switch (opcode)
        {
            case FuseOpcode.Forget or FuseOpcode.BatchForget:
            {
                // No reply. On a pool thread: a node whose caches were dropped forgets thousands of
                // files at once, and the lookups behind them must not wait. Lookup counts add up in
                // any order (a file forgotten to zero and looked up again keeps or gets a node id).
                var forget = ArrayPool<byte>.Shared.Rent(message.Length);
                message.CopyTo(forget);
                var forgetting = new Work(this, forget, message.Length, unique);
                _workers.Run(() => Forget(forgetting));
                return;
            }
        }

        var request = ArrayPool<byte>.Shared.Rent(message.Length);
        message.CopyTo(request);
        var work = new Work(this, request, message.Length, unique);
        if (AnswersInline(opcode) || ReadsInline(message))
        {
            Answer(work);
        }
        else if (ChangesInline(message))
        {
            Change(work);
        }
        else
        {
            _workers.Run(() => Answer(work));
        }
    }

    /// <summary>A read small enough to answer where it is read (a hop to a worker thread cost more than the read).</summary>
    internal static bool ReadsInline(ReadOnlySpan<byte> request) =>
        (FuseOpcode)BinaryPrimitives.ReadUInt32LittleEndian(request[4..]) == FuseOpcode.Read
        && request.Length >= FuseProtocol.InHeaderSize + 20
        && BinaryPrimitives.ReadUInt32LittleEndian(request[(FuseProtocol.InHeaderSize + 16)..]) <= InlineBytes;

    /// <summary>
    /// A change made where it is read (<see cref="Change"/>): metadata changes and small writes, quick on
    /// the disk like a lookup. Large writes, fsync, fallocate, listings and lock requests go to workers.
    /// </summary>
    internal static bool ChangesInline(ReadOnlySpan<byte> request) => (FuseOpcode)BinaryPrimitives.ReadUInt32LittleEndian(request[4..]) switch
    {
        FuseOpcode.Create or FuseOpcode.Mknod or FuseOpcode.Mkdir or FuseOpcode.Symlink or FuseOpcode.Link or FuseOpcode.Unlink
            or FuseOpcode.Rmdir or FuseOpcode.Rename or FuseOpcode.Rename2 or FuseOpcode.SetAttr or FuseOpcode.Open
            or FuseOpcode.TmpFile or FuseOpcode.SetXattr or FuseOpcode.RemoveXattr => true,
        FuseOpcode.Write => request.Length - FuseProtocol.InHeaderSize - 40 <= InlineBytes,
        _ => false,
    };

    /// <summary>Room for a reply and its hints: what the request asks for (reads, listings, attribute values), else a little.</summary>
    internal static int ReplyRoom(ReadOnlySpan<byte> request)
    {
        var opcode = (FuseOpcode)BinaryPrimitives.ReadUInt32LittleEndian(request[4..]);
        var body = request[FuseProtocol.InHeaderSize..];
        var asked = opcode switch
        {
            FuseOpcode.Read or FuseOpcode.ReadDir or FuseOpcode.ReadDirPlus when body.Length >= 20 => (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(body[16..]), (uint)FuseProtocol.MaxWrite),
            FuseOpcode.GetXattr or FuseOpcode.ListXattr when body.Length >= 4 => (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(body), (uint)FuseProtocol.MaxWrite),
            _ => 0,
        };
        return LinkFrame.HeaderSize + FuseProtocol.OutHeaderSize + Math.Max(asked, 8192) + (opcode == FuseOpcode.ReadDirPlus ? LinkFrame.HintRoom : 4096);
    }

    private void Forget(Work work)
    {
        try
        {
            _ = _dispatcher.Handle(work.Request.AsSpan(0, work.Length), stackalloc byte[FuseProtocol.OutHeaderSize], _origin, allowPassthrough: false, late: null);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(work.Request);
        }
    }

    private void Answer(Work work)
    {
        var room = ReplyRoom(work.Request.AsSpan(0, work.Length));
        var output = ArrayPool<byte>.Shared.Rent(room);
        try
        {
            var length = Dispatch(work, output, room, null);
            Reply(work, output, room, length);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(output);
            ArrayPool<byte>.Shared.Return(work.Request);
        }
    }

    /// <summary>
    /// A change made right where it is read, on this link's thread: saves the hop to a worker. When
    /// another node's kernel may cache what it changed, that node must apply the invalidation before
    /// the author hears of the change; its acknowledgement comes through its own link, whose thread may
    /// itself be waiting for this one: so the wait, and the reply behind it, go to a worker.
    /// </summary>
    private void Change(Work work)
    {
        var room = ReplyRoom(work.Request.AsSpan(0, work.Length));
        var output = ArrayPool<byte>.Shared.Rent(room);
        var handedOver = false;
        try
        {
            var changes = new List<CacheInvalidation>();
            var length = Dispatch(work, output, room, changes);
            if (changes.Count > 0 && _hub.HeldElsewhere(_origin, changes))
            {
                handedOver = true;
                _workers.Run(() =>
                {
                    try
                    {
                        _hub.Publish(_origin, changes);
                        Reply(work, output, room, length);
                    }
                    finally
                    {
                        ArrayPool<byte>.Shared.Return(output);
                        ArrayPool<byte>.Shared.Return(work.Request);
                    }
                });
                return;
            }

            Reply(work, output, room, length);
        }
        finally
        {
            if (!handedOver)
            {
                ArrayPool<byte>.Shared.Return(output);
                ArrayPool<byte>.Shared.Return(work.Request);
            }
        }
    }

    /// <summary>Runs the request; returns the reply's length (at <see cref="LinkFrame.HeaderSize"/> in <paramref name="output"/>), 0 or <see cref="FuseReply.Later"/>.</summary>
    private int Dispatch(Work work, byte[] output, int room, List<CacheInvalidation>? unpublished)
    {
        try
        {
            // A lock request may have to wait: its reply then comes later, over this link.
            var locking = (FuseOpcode)BinaryPrimitives.ReadUInt32LittleEndian(work.Request.AsSpan(4)) is FuseOpcode.SetLk or FuseOpcode.SetLkW;
            if (locking)
            {
                _waiting[work.Unique] = 0;
            }

            var length = _dispatcher.Handle(work.Request.AsSpan(0, work.Length), output.AsSpan(LinkFrame.HeaderSize, room - LinkFrame.HeaderSize), _origin, allowPassthrough: false, locking ? new LateReply(this, work.Unique) : null, unpublished);
            if (locking && length != FuseReply.Later)
            {
                _waiting.TryRemove(work.Unique, out _);
            }

            return length;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A bug must cost one request an EIO, never the link.
            FsLog.RequestFailed(_logger, e);
            return FuseReply.Error(output.AsSpan(LinkFrame.HeaderSize), work.Unique, Errno.EIO).Length;
        }
    }

    /// <summary>Sends the reply of <paramref name="length"/> bytes in <paramref name="output"/>, with the hints read now.</summary>
    private void Reply(Work work, byte[] output, int room, int length)
    {
        if (length is 0 or FuseReply.Later)
        {
            return;
        }

        try
        {
            lock (_writer.Lock)
            {
                var reply = output.AsSpan(LinkFrame.HeaderSize, length);
                length += ReplyHints.Write(_dispatcher.FileSystem, _dispatcher.AttributesVolatile, work.Request.AsSpan(0, work.Length), reply, output.AsSpan(LinkFrame.HeaderSize + length, Math.Min(room - LinkFrame.HeaderSize - length, LinkFrame.HintRoom)));
                var frame = output.AsSpan(0, LinkFrame.HeaderSize + length);
                LinkFrame.WriteHeader(frame, LinkFrameKind.Reply);
                _writer.WriteHeld(frame);
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The link is gone; the node fails what it was waiting for.
        }
    }

    private void SendInvalidation(ulong id, CacheInvalidation change)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(LinkFrame.InvalidationSize(change));
        try
        {
            _writer.Write(buffer.AsSpan(0, LinkFrame.Invalidation(buffer, id, change)));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Send(Func<Span<byte>, int> build, LinkFrameKind? kind = null)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(1024);
        try
        {
            var length = build(buffer);
            if (kind is { } k)
            {
                LinkFrame.WriteHeader(buffer.AsSpan(0, length), k);
            }

            _writer.Write(buffer.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Touch() => Volatile.Write(ref _lastReceived, Environment.TickCount64);

    private void CloseIfSilent()
    {
        if (Environment.TickCount64 - Volatile.Read(ref _lastReceived) > SilenceLimit.TotalMilliseconds)
        {
            FsLog.LinkEnded(_logger, _origin, $"nothing received for {SilenceLimit.TotalSeconds:0} s");
            Close();
        }
    }

    private sealed record Work(RemoteNodeLink Link, byte[] Request, int Length, ulong Unique);

    /// <summary>Where the reply to a request that waits (a lock) goes when it is ready: back over this link.</summary>
    private sealed class LateReply(RemoteNodeLink link, ulong unique) : IFuseLateReply
    {
        public void Send(ReadOnlySpan<byte> reply) => link.SendLate(unique, reply);
    }
}
