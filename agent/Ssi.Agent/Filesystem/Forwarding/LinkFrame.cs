using System.Buffers.Binary;
using Ssi.Agent.Filesystem.Coherency;
using Ssi.Agent.Filesystem.Fuse;

namespace Ssi.Agent.Filesystem.Forwarding;

/// <summary>
/// The frames of the filesystem link between a forwarding node and the home: an 8-byte header (u32
/// length of the whole frame, u16 <see cref="LinkFrameKind"/>, u16 zero) and a payload, little-endian
/// like the FUSE messages they mostly carry. Pure encoding and decoding; the link runs over mutual TLS
/// (ALPN <see cref="Alpn"/>) on the home's link port.
/// </summary>
internal static class LinkFrame
{
    public const string Alpn = "ssi-fs/1";
    public const uint Version = 2;
    public const int HeaderSize = 8;

    /// <summary>The header of a hint: u64 node id, u32 <see cref="HintKind"/>, u32 payload length; the payload is padded to 8 bytes.</summary>
    public const int HintHeaderSize = 16;

    /// <summary>Room for hints behind a reply.</summary>
    public const int HintRoom = 64 * 1024;

    /// <summary>The largest frame: a FUSE message of the largest size the kernel and we agreed on, plus hints.</summary>
    public const int MaxSize = HeaderSize + FuseProtocol.BufferSize + HintRoom;

    private const byte InodeChange = 1;
    private const byte EntryChange = 2;

    /// <summary>Writes the header of <paramref name="frame"/> (the whole frame, header included).</summary>
    public static void WriteHeader(Span<byte> frame, LinkFrameKind kind) => WriteHeader(frame, kind, frame.Length);

    /// <summary>Writes a header for a frame of <paramref name="length"/> bytes, header included, whose payload is sent apart.</summary>
    public static void WriteHeader(Span<byte> header, LinkFrameKind kind, int length)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(header, (uint)length);
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], (ushort)kind);
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], 0);
    }

    /// <summary>Reads a header; the length is that of the whole frame.</summary>
    public static (LinkFrameKind Kind, int Length) ReadHeader(ReadOnlySpan<byte> header)
    {
        var length = BinaryPrimitives.ReadUInt32LittleEndian(header);
        if (length is < HeaderSize or > MaxSize)
        {
            throw new LinkProtocolException($"frame of {length} bytes (allowed {HeaderSize}-{MaxSize})");
        }

        return ((LinkFrameKind)BinaryPrimitives.ReadUInt16LittleEndian(header[4..]), (int)length);
    }

    public static int Hello(Span<byte> buffer, int nodeIndex, ulong incarnation)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(buffer[HeaderSize..], Version);
        BinaryPrimitives.WriteUInt32LittleEndian(buffer[(HeaderSize + 4)..], (uint)nodeIndex);
        BinaryPrimitives.WriteUInt64LittleEndian(buffer[(HeaderSize + 8)..], incarnation);
        return Finish(buffer, LinkFrameKind.Hello, 16);
    }

    public static (uint Version, int NodeIndex, ulong Incarnation) ReadHello(ReadOnlySpan<byte> payload)
    {
        Require(payload, 16, LinkFrameKind.Hello);
        return (BinaryPrimitives.ReadUInt32LittleEndian(payload), (int)BinaryPrimitives.ReadUInt32LittleEndian(payload[4..]), BinaryPrimitives.ReadUInt64LittleEndian(payload[8..]));
    }

    /// <summary>Entries of a Holdings frame at most (16 bytes each: node id and lookups, or node id and handle).</summary>
    public const int HoldingsPerFrame = 32 * 1024;

    /// <summary>
    /// Holdings frames for what a kernel holds: u32 held count, u32 open count, then (u64 node, i64
    /// lookups) per held node id and (u64 node, u64 handle) per open file; as many frames as it takes.
    /// </summary>
    public static IEnumerable<byte[]> Holdings(IReadOnlyList<(ulong Node, long Lookups)> held, IReadOnlyList<(ulong Node, ulong Handle)> open)
    {
        ArgumentNullException.ThrowIfNull(held);
        ArgumentNullException.ThrowIfNull(open);
        for (int h = 0, o = 0; h < held.Count || o < open.Count;)
        {
            var heldCount = Math.Min(held.Count - h, HoldingsPerFrame);
            var openCount = Math.Min(open.Count - o, HoldingsPerFrame - heldCount);
            var frame = new byte[HeaderSize + 8 + 16 * (heldCount + openCount)];
            var body = frame.AsSpan(HeaderSize);
            BinaryPrimitives.WriteUInt32LittleEndian(body, (uint)heldCount);
            BinaryPrimitives.WriteUInt32LittleEndian(body[4..], (uint)openCount);
            var at = 8;
            for (var i = 0; i < heldCount; i++, at += 16)
            {
                BinaryPrimitives.WriteUInt64LittleEndian(body[at..], held[h + i].Node);
                BinaryPrimitives.WriteInt64LittleEndian(body[(at + 8)..], held[h + i].Lookups);
            }

            for (var i = 0; i < openCount; i++, at += 16)
            {
                BinaryPrimitives.WriteUInt64LittleEndian(body[at..], open[o + i].Node);
                BinaryPrimitives.WriteUInt64LittleEndian(body[(at + 8)..], open[o + i].Handle);
            }

            h += heldCount;
            o += openCount;
            WriteHeader(frame, LinkFrameKind.Holdings);
            yield return frame;
        }
    }

    public static (List<(ulong Node, long Lookups)> Held, List<(ulong Node, ulong Handle)> Open) ReadHoldings(ReadOnlySpan<byte> payload)
    {
        Require(payload, 8, LinkFrameKind.Holdings);
        var heldCount = BinaryPrimitives.ReadUInt32LittleEndian(payload);
        var openCount = BinaryPrimitives.ReadUInt32LittleEndian(payload[4..]);
        if ((long)payload.Length != 8 + 16L * (heldCount + openCount))
        {
            throw new LinkProtocolException($"holdings of {heldCount} + {openCount} entries in a payload of {payload.Length}");
        }

        var held = new List<(ulong, long)>((int)heldCount);
        var open = new List<(ulong, ulong)>((int)openCount);
        var at = 8;
        for (var i = 0; i < heldCount; i++, at += 16)
        {
            held.Add((BinaryPrimitives.ReadUInt64LittleEndian(payload[at..]), BinaryPrimitives.ReadInt64LittleEndian(payload[(at + 8)..])));
        }

        for (var i = 0; i < openCount; i++, at += 16)
        {
            open.Add((BinaryPrimitives.ReadUInt64LittleEndian(payload[at..]), BinaryPrimitives.ReadUInt64LittleEndian(payload[(at + 8)..])));
        }

        return (held, open);
    }

    public static int Welcome(Span<byte> buffer)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(buffer[HeaderSize..], Version);
        return Finish(buffer, LinkFrameKind.Welcome, 4);
    }

    public static int Refused(Span<byte> buffer, string reason)
    {
        var length = System.Text.Encoding.UTF8.GetBytes(reason.AsSpan(0, Math.Min(reason.Length, 512)), buffer[HeaderSize..]);
        return Finish(buffer, LinkFrameKind.Refused, length);
    }

    /// <summary>A frame without payload (Ping, Pong).</summary>
    public static int Empty(Span<byte> buffer, LinkFrameKind kind) => Finish(buffer, kind, 0);

    public static int Acknowledge(Span<byte> buffer, ulong id)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(buffer[HeaderSize..], id);
        return Finish(buffer, LinkFrameKind.Acknowledge, 8);
    }

    public static ulong ReadAcknowledge(ReadOnlySpan<byte> payload)
    {
        Require(payload, 8, LinkFrameKind.Acknowledge);
        return BinaryPrimitives.ReadUInt64LittleEndian(payload);
    }

    /// <summary>Room an invalidation frame needs.</summary>
    public static int InvalidationSize(in CacheInvalidation change) => HeaderSize + 9 + (change.Name is { } name ? 12 + name.Length : 24);

    public static int Invalidation(Span<byte> buffer, ulong id, in CacheInvalidation change)
    {
        var body = buffer[HeaderSize..];
        BinaryPrimitives.WriteUInt64LittleEndian(body, id);
        if (change.Name is { } name)
        {
            body[8] = EntryChange;
            BinaryPrimitives.WriteUInt64LittleEndian(body[9..], change.NodeId);
            BinaryPrimitives.WriteUInt32LittleEndian(body[17..], (uint)name.Length);
            name.CopyTo(body[21..]);
            return Finish(buffer, LinkFrameKind.Invalidate, 21 + name.Length);
        }

        body[8] = InodeChange;
        BinaryPrimitives.WriteUInt64LittleEndian(body[9..], change.NodeId);
        BinaryPrimitives.WriteInt64LittleEndian(body[17..], change.Offset);
        BinaryPrimitives.WriteInt64LittleEndian(body[25..], change.Length);
        return Finish(buffer, LinkFrameKind.Invalidate, 33);
    }

    public static (ulong Id, CacheInvalidation Change) ReadInvalidation(ReadOnlySpan<byte> payload)
    {
        Require(payload, 9, LinkFrameKind.Invalidate);
        var id = BinaryPrimitives.ReadUInt64LittleEndian(payload);
        switch (payload[8])
        {
            case InodeChange:
                Require(payload, 33, LinkFrameKind.Invalidate);
                return (id, CacheInvalidation.Inode(
                    BinaryPrimitives.ReadUInt64LittleEndian(payload[9..]),
                    BinaryPrimitives.ReadInt64LittleEndian(payload[17..]),
                    BinaryPrimitives.ReadInt64LittleEndian(payload[25..])));
            case EntryChange:
                Require(payload, 21, LinkFrameKind.Invalidate);
                var length = BinaryPrimitives.ReadUInt32LittleEndian(payload[17..]);
                if (length is 0 or > 255 || payload.Length != 21 + length)
                {
                    throw new LinkProtocolException($"invalidation names {length} bytes in a payload of {payload.Length}");
                }

                return (id, CacheInvalidation.Entry(BinaryPrimitives.ReadUInt64LittleEndian(payload[9..]), payload.Slice(21, (int)length)));
            default:
                throw new LinkProtocolException($"unknown invalidation type {payload[8]}");
        }
    }

    /// <summary>Splits a Reply payload into the FUSE reply and the hints that follow it.</summary>
    public static (ReadOnlyMemory<byte> Reply, ReadOnlyMemory<byte> Hints) SplitReply(ReadOnlyMemory<byte> payload)
    {
        var span = payload.Span;
        if (span.Length < FuseProtocol.OutHeaderSize)
        {
            throw new LinkProtocolException($"reply of {span.Length} bytes is shorter than a FUSE header");
        }

        var length = BinaryPrimitives.ReadUInt32LittleEndian(span);
        if (length < FuseProtocol.OutHeaderSize || length > span.Length)
        {
            throw new LinkProtocolException($"reply says {length} bytes in a payload of {span.Length}");
        }

        return (payload[..(int)length], payload[(int)length..]);
    }

    /// <summary>Writes one hint at the start of <paramref name="at"/>; returns its size, or 0 when it does not fit.</summary>
    public static int WriteHint(Span<byte> at, ulong node, HintKind kind, ReadOnlySpan<byte> payload)
    {
        var size = HintHeaderSize + ((payload.Length + 7) & ~7);
        if (size > at.Length)
        {
            return 0;
        }

        BinaryPrimitives.WriteUInt64LittleEndian(at, node);
        BinaryPrimitives.WriteUInt32LittleEndian(at[8..], (uint)kind);
        BinaryPrimitives.WriteUInt32LittleEndian(at[12..], (uint)payload.Length);
        payload.CopyTo(at[HintHeaderSize..]);
        at[(HintHeaderSize + payload.Length)..size].Clear();
        return size;
    }

    /// <summary>Takes the next hint off <paramref name="hints"/>; false when none is left.</summary>
    public static bool NextHint(ref ReadOnlySpan<byte> hints, out ulong node, out HintKind kind, out ReadOnlySpan<byte> payload)
    {
        if (hints.IsEmpty)
        {
            node = 0;
            kind = default;
            payload = default;
            return false;
        }

        if (hints.Length < HintHeaderSize)
        {
            throw new LinkProtocolException($"a hint of {hints.Length} bytes is shorter than its header");
        }

        node = BinaryPrimitives.ReadUInt64LittleEndian(hints);
        kind = (HintKind)BinaryPrimitives.ReadUInt32LittleEndian(hints[8..]);
        var length = BinaryPrimitives.ReadUInt32LittleEndian(hints[12..]);
        var size = HintHeaderSize + (((long)length + 7) & ~7L);
        if (size > hints.Length)
        {
            throw new LinkProtocolException($"a hint says {length} bytes with {hints.Length - HintHeaderSize} left");
        }

        payload = hints.Slice(HintHeaderSize, (int)length);
        hints = hints[(int)size..];
        return true;
    }

    private static int Finish(Span<byte> buffer, LinkFrameKind kind, int payloadLength)
    {
        var length = HeaderSize + payloadLength;
        WriteHeader(buffer[..length], kind);
        return length;
    }

    private static void Require(ReadOnlySpan<byte> payload, int length, LinkFrameKind kind)
    {
        if (payload.Length < length)
        {
            throw new LinkProtocolException($"{kind} frame of {payload.Length} bytes, {length} needed");
        }
    }
}
