using System.Buffers.Binary;
using Ssi.Agent.Filesystem.Coherency;
using Ssi.Agent.Filesystem.Fuse;

namespace Ssi.Agent.Filesystem.Forwarding;

/// <summary>
/// The frames of the filesystem link between a forwarding node and the home: an 8-byte header (u32
/// length of the whole frame, u16 <see cref="LinkFrameKind"/>, u16 zero) and a payload, little-endian
/// like the FUSE messages they mostly carry. Pure encoding and decoding; the link runs over mutual TLS
/// on the agent's port, told apart from gRPC by its ALPN name.
/// </summary>
internal static class LinkFrame
{
    public const string Alpn = "ssi-fs/1";
    public const uint Version = 1;
    public const int HeaderSize = 8;

    /// <summary>A hint: u64 node id and the fuse_attr_out a GETATTR of it would get.</summary>
    public const int HintSize = 8 + FuseProtocol.AttrOutSize;

    /// <summary>The largest frame: a FUSE message of the largest size the kernel and we agreed on, plus hints.</summary>
    public const int MaxSize = HeaderSize + FuseProtocol.BufferSize + 4 * HintSize;

    private const byte InodeChange = 1;
    private const byte EntryChange = 2;

    /// <summary>Writes the header of <paramref name="frame"/> (the whole frame, header included).</summary>
    public static void WriteHeader(Span<byte> frame, LinkFrameKind kind)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(frame, (uint)frame.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(frame[4..], (ushort)kind);
        BinaryPrimitives.WriteUInt16LittleEndian(frame[6..], 0);
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

    public static int Hello(Span<byte> buffer, int nodeIndex)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(buffer[HeaderSize..], Version);
        BinaryPrimitives.WriteUInt32LittleEndian(buffer[(HeaderSize + 4)..], (uint)nodeIndex);
        return Finish(buffer, LinkFrameKind.Hello, 8);
    }

    public static (uint Version, int NodeIndex) ReadHello(ReadOnlySpan<byte> payload)
    {
        Require(payload, 8, LinkFrameKind.Hello);
        return (BinaryPrimitives.ReadUInt32LittleEndian(payload), (int)BinaryPrimitives.ReadUInt32LittleEndian(payload[4..]));
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

    /// <summary>Splits a Reply payload into the FUSE reply and the attribute hints that follow it.</summary>
    public static (ReadOnlyMemory<byte> Reply, ReadOnlyMemory<byte> Hints) SplitReply(ReadOnlyMemory<byte> payload)
    {
        var span = payload.Span;
        if (span.Length < FuseProtocol.OutHeaderSize)
        {
            throw new LinkProtocolException($"reply of {span.Length} bytes is shorter than a FUSE header");
        }

        var length = BinaryPrimitives.ReadUInt32LittleEndian(span);
        if (length < FuseProtocol.OutHeaderSize || length > span.Length || (span.Length - length) % HintSize != 0)
        {
            throw new LinkProtocolException($"reply says {length} bytes in a payload of {span.Length}");
        }

        return (payload[..(int)length], payload[(int)length..]);
    }

    /// <summary>Writes one hint (node id, fuse_attr_out) at <paramref name="at"/>; the attr_out bytes come from <paramref name="attrOut"/>.</summary>
    public static void WriteHint(Span<byte> at, ulong node, ReadOnlySpan<byte> attrOut)
    {
        if (attrOut.Length != FuseProtocol.AttrOutSize)
        {
            throw new ArgumentException($"fuse_attr_out is {FuseProtocol.AttrOutSize} bytes, got {attrOut.Length}", nameof(attrOut));
        }

        BinaryPrimitives.WriteUInt64LittleEndian(at, node);
        attrOut.CopyTo(at[8..]);
    }

    /// <summary>The node id of the hint at the start of <paramref name="hint"/>; its fuse_attr_out follows.</summary>
    public static ulong HintNode(ReadOnlySpan<byte> hint) => BinaryPrimitives.ReadUInt64LittleEndian(hint);

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
