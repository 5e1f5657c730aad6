namespace Ssi.Agent.Migration.Bulk;

/// <summary>
/// Reads frames from a stream with blocking reads (on the link's own thread): a header, then its
/// payload, whole (into a buffer of the largest payload, valid until the next call) or in pieces as
/// it arrives. A stream that ends between frames ends the reader; one that ends inside a frame, or a
/// header that breaks the layout, throws <see cref="BulkProtocolException"/>.
/// </summary>
internal sealed class BulkFrameReader(Stream stream)
{
    private readonly byte[] _header = new byte[BulkFrame.HeaderSize];
    private byte[]? _payload;
    private BulkFrameKind _kind;
    private int _remaining;

    /// <summary>The next frame, whole; false when the stream ended between frames.</summary>
    public bool Next(out BulkFrameKind kind, out ArraySegment<byte> payload)
    {
        if (!NextHeader(out kind, out _))
        {
            payload = default;
            return false;
        }

        payload = Payload();
        return true;
    }

    /// <summary>The next frame's header; its payload is read next, whole or in pieces. False when the stream ended between frames.</summary>
    public bool NextHeader(out BulkFrameKind kind, out int length)
    {
        if (_remaining != 0)
        {
            throw new InvalidOperationException($"{_remaining} bytes of a {_kind} frame are still to be read");
        }

        var read = stream.ReadAtLeast(_header, _header.Length, throwOnEndOfStream: false);
        if (read == 0)
        {
            (kind, length) = (default, 0);
            return false;
        }

        if (read < _header.Length)
        {
            throw new BulkProtocolException($"the link ended inside a frame header ({read} of {_header.Length} bytes)");
        }

        (kind, length) = BulkFrame.ReadHeader(_header);
        (_kind, _remaining) = (kind, length);
        return true;
    }

    /// <summary>The rest of the current frame's payload.</summary>
    public ArraySegment<byte> Payload()
    {
        _payload ??= GC.AllocateUninitializedArray<byte>(BulkFrame.MaxPayload); // not pooled: a read may still be going on when the link is closed
        var length = _remaining;
        var at = 0;
        while (_remaining > 0)
        {
            at += Piece(_payload.AsSpan(at, _remaining), _remaining);
        }

        return new ArraySegment<byte>(_payload, 0, length);
    }

    /// <summary>
    /// Up to <paramref name="into"/>'s length of the current payload, at least <paramref name="atLeast"/>
    /// bytes (or what is left of it); 0 once it is all read.
    /// </summary>
    public int Piece(Span<byte> into, int atLeast)
    {
        var want = Math.Min(into.Length, _remaining);
        if (want == 0)
        {
            return 0;
        }

        var read = stream.ReadAtLeast(into[..want], Math.Min(atLeast, want), throwOnEndOfStream: false);
        if (read < Math.Min(atLeast, want))
        {
            throw new BulkProtocolException($"the link ended inside a {_kind} frame ({_remaining - read} bytes missing)");
        }

        _remaining -= read;
        return read;
    }
}
