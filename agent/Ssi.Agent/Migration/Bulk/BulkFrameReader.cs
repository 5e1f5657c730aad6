namespace Ssi.Agent.Migration.Bulk;

/// <summary>
/// Reads whole frames from a stream with blocking reads (on the link's own thread): the header, then
/// the payload into a buffer of the largest payload, which stays valid until the next call. A stream
/// that ends between frames ends the reader; one that ends inside a frame, or a header that breaks
/// the layout, throws <see cref="BulkProtocolException"/>.
/// </summary>
internal sealed class BulkFrameReader(Stream stream)
{
    private readonly byte[] _header = new byte[BulkFrame.HeaderSize];
    private byte[]? _payload;

    /// <summary>The next frame; false when the stream ended between frames.</summary>
    public bool Next(out BulkFrameKind kind, out ArraySegment<byte> payload)
    {
        var read = stream.ReadAtLeast(_header, _header.Length, throwOnEndOfStream: false);
        if (read == 0)
        {
            kind = default;
            payload = default;
            return false;
        }

        if (read < _header.Length)
        {
            throw new BulkProtocolException($"the link ended inside a frame header ({read} of {_header.Length} bytes)");
        }

        (kind, var length) = BulkFrame.ReadHeader(_header);
        _payload ??= GC.AllocateUninitializedArray<byte>(BulkFrame.MaxPayload); // not pooled: a read may still be going on when the link is closed
        read = length == 0 ? 0 : stream.ReadAtLeast(_payload.AsSpan(0, length), length, throwOnEndOfStream: false);
        if (read < length)
        {
            throw new BulkProtocolException($"the link ended inside a {kind} frame ({read} of {length} bytes)");
        }

        payload = new ArraySegment<byte>(_payload, 0, length);
        return true;
    }
}
