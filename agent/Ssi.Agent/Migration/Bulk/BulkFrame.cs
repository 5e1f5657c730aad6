using System.Buffers.Binary;
using System.Text;

namespace Ssi.Agent.Migration.Bulk;

/// <summary>
/// The frames of a bulk link (relays and image transfers between agents): an 8-byte header (u32
/// payload length, u16 <see cref="BulkFrameKind"/>, u16 zero) and a payload of at most
/// <see cref="MaxPayload"/> bytes, little-endian. Pure encoding and decoding; every length is checked
/// before anything is read into memory, and a frame that breaks the layout throws
/// <see cref="BulkProtocolException"/>. The link runs over mutual TLS, ALPN <see cref="Alpn"/>.
/// </summary>
internal static class BulkFrame
{
    public const string Alpn = "ssi-bulk/1";
    public const int HeaderSize = 8;

    /// <summary>The largest payload: one chunk of relayed bytes or of an image file.</summary>
    public const int MaxPayload = 1024 * 1024;

    /// <summary>The longest text (ids, node and file names, reasons) in UTF-8 bytes.</summary>
    public const int MaxText = 1024;

    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Writes the header of a frame whose payload of <paramref name="payloadLength"/> bytes follows it.</summary>
    public static void WriteHeader(Span<byte> header, BulkFrameKind kind, int payloadLength)
    {
        if ((uint)payloadLength > MaxPayload)
        {
            throw new ArgumentOutOfRangeException(nameof(payloadLength), payloadLength, $"a bulk frame carries at most {MaxPayload} bytes");
        }

        BinaryPrimitives.WriteUInt32LittleEndian(header, (uint)payloadLength);
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], (ushort)kind);
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], 0);
    }

    /// <summary>Reads a header: the kind, and the length of the payload that follows.</summary>
    public static (BulkFrameKind Kind, int PayloadLength) ReadHeader(ReadOnlySpan<byte> header)
    {
        var length = BinaryPrimitives.ReadUInt32LittleEndian(header);
        var kind = (BulkFrameKind)BinaryPrimitives.ReadUInt16LittleEndian(header[4..]);
        if (length > MaxPayload)
        {
            throw new BulkProtocolException($"a bulk frame of {length} bytes (at most {MaxPayload})");
        }

        if (BinaryPrimitives.ReadUInt16LittleEndian(header[6..]) != 0 || !Enum.IsDefined(kind))
        {
            throw new BulkProtocolException($"not a bulk frame header (kind {(ushort)kind})");
        }

        return (kind, (int)length);
    }

    /// <summary>A frame of one text (Images, ImageFile, Refused); returns the frame's length, header included.</summary>
    public static int Text(Span<byte> frame, BulkFrameKind kind, string text)
    {
        var length = Encode(text, frame[HeaderSize..]);
        WriteHeader(frame, kind, length);
        return HeaderSize + length;
    }

    public static string ReadText(ReadOnlySpan<byte> payload, BulkFrameKind kind)
    {
        if (payload.Length is 0 or > MaxText)
        {
            throw new BulkProtocolException($"a {kind} frame of {payload.Length} bytes (1-{MaxText})");
        }

        return Decode(payload, kind);
    }

    /// <summary>Attach: u16 length and UTF-8 bytes of the object id, then of the node.</summary>
    public static int Attach(Span<byte> frame, string objectId, string node)
    {
        var body = frame[HeaderSize..];
        var id = Encode(objectId, body[2..]);
        BinaryPrimitives.WriteUInt16LittleEndian(body, (ushort)id);
        var at = 2 + id;
        var name = Encode(node, body[(at + 2)..]);
        BinaryPrimitives.WriteUInt16LittleEndian(body[at..], (ushort)name);
        WriteHeader(frame, BulkFrameKind.Attach, at + 2 + name);
        return HeaderSize + at + 2 + name;
    }

    public static (string ObjectId, string Node) ReadAttach(ReadOnlySpan<byte> payload)
    {
        var objectId = TakeText(ref payload, BulkFrameKind.Attach);
        var node = TakeText(ref payload, BulkFrameKind.Attach);
        if (!payload.IsEmpty || objectId.Length == 0 || node.Length == 0)
        {
            throw new BulkProtocolException("an Attach frame is an object id and a node name, nothing else");
        }

        return (objectId, node);
    }

    public static int Resize(Span<byte> frame, ushort rows, ushort columns)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(frame[HeaderSize..], rows);
        BinaryPrimitives.WriteUInt16LittleEndian(frame[(HeaderSize + 2)..], columns);
        WriteHeader(frame, BulkFrameKind.Resize, 4);
        return HeaderSize + 4;
    }

    public static (ushort Rows, ushort Columns) ReadResize(ReadOnlySpan<byte> payload)
    {
        Require(payload, 4, BulkFrameKind.Resize);
        return (BinaryPrimitives.ReadUInt16LittleEndian(payload), BinaryPrimitives.ReadUInt16LittleEndian(payload[2..]));
    }

    public static int ImagesReceived(Span<byte> frame, long bytes, int files)
    {
        BinaryPrimitives.WriteInt64LittleEndian(frame[HeaderSize..], bytes);
        BinaryPrimitives.WriteInt32LittleEndian(frame[(HeaderSize + 8)..], files);
        WriteHeader(frame, BulkFrameKind.ImagesReceived, 12);
        return HeaderSize + 12;
    }

    public static (long Bytes, int Files) ReadImagesReceived(ReadOnlySpan<byte> payload)
    {
        Require(payload, 12, BulkFrameKind.ImagesReceived);
        var (bytes, files) = (BinaryPrimitives.ReadInt64LittleEndian(payload), BinaryPrimitives.ReadInt32LittleEndian(payload[8..]));
        return bytes >= 0 && files >= 0 ? (bytes, files) : throw new BulkProtocolException($"{bytes} bytes in {files} files received");
    }

    public static int Resumed(Span<byte> frame, long resumedAtUnixMs)
    {
        BinaryPrimitives.WriteInt64LittleEndian(frame[HeaderSize..], resumedAtUnixMs);
        WriteHeader(frame, BulkFrameKind.Resumed, 8);
        return HeaderSize + 8;
    }

    public static long ReadResumed(ReadOnlySpan<byte> payload)
    {
        Require(payload, 8, BulkFrameKind.Resumed);
        var at = BinaryPrimitives.ReadInt64LittleEndian(payload);
        return at >= 0 ? at : throw new BulkProtocolException($"resumed at {at}");
    }

    public static int Restored(Span<byte> frame, int hostPid, long restoreMs)
    {
        BinaryPrimitives.WriteInt32LittleEndian(frame[HeaderSize..], hostPid);
        BinaryPrimitives.WriteInt64LittleEndian(frame[(HeaderSize + 4)..], restoreMs);
        WriteHeader(frame, BulkFrameKind.Restored, 12);
        return HeaderSize + 12;
    }

    public static (int HostPid, long RestoreMs) ReadRestored(ReadOnlySpan<byte> payload)
    {
        Require(payload, 12, BulkFrameKind.Restored);
        var (pid, ms) = (BinaryPrimitives.ReadInt32LittleEndian(payload), BinaryPrimitives.ReadInt64LittleEndian(payload[4..]));
        return pid > 0 && ms >= 0 ? (pid, ms) : throw new BulkProtocolException($"restored as host pid {pid} in {ms} ms");
    }

    /// <summary>A frame of a kind that carries nothing; returns its length.</summary>
    public static int Empty(Span<byte> frame, BulkFrameKind kind)
    {
        WriteHeader(frame, kind, 0);
        return HeaderSize;
    }

    /// <summary>Frames of these kinds carry nothing.</summary>
    public static void RequireEmpty(ReadOnlySpan<byte> payload, BulkFrameKind kind) => Require(payload, 0, kind);

    private static void Require(ReadOnlySpan<byte> payload, int length, BulkFrameKind kind)
    {
        if (payload.Length != length)
        {
            throw new BulkProtocolException($"a {kind} frame of {payload.Length} bytes (it has {length})");
        }
    }

    private static string TakeText(ref ReadOnlySpan<byte> payload, BulkFrameKind kind)
    {
        if (payload.Length < 2)
        {
            throw new BulkProtocolException($"a {kind} frame ends inside a text's length");
        }

        var length = BinaryPrimitives.ReadUInt16LittleEndian(payload);
        if (length > MaxText || payload.Length - 2 < length)
        {
            throw new BulkProtocolException($"a {kind} frame with a text of {length} bytes in {payload.Length - 2}");
        }

        var text = Decode(payload.Slice(2, length), kind);
        payload = payload[(2 + length)..];
        return text;
    }

    private static int Encode(string text, Span<byte> into)
    {
        if (Strict.GetByteCount(text) > MaxText)
        {
            throw new ArgumentException($"more than {MaxText} bytes of text for a bulk frame", nameof(text));
        }

        return Strict.GetBytes(text, into);
    }

    private static string Decode(ReadOnlySpan<byte> bytes, BulkFrameKind kind)
    {
        try
        {
            return Strict.GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new BulkProtocolException($"a {kind} frame with text that is not UTF-8", e);
        }
    }
}
