namespace Ssi.Agent.Filesystem.Forwarding;

/// <summary>
/// Reads frames from a stream with blocking reads (on the link's own thread): as many bytes as the
/// stream has, then whole frames out of them. A frame's payload stays valid until the next call.
/// </summary>
internal sealed class LinkFrameReader(Stream stream)
{
    private readonly byte[] _buffer = GC.AllocateUninitializedArray<byte>(2 * LinkFrame.MaxSize);
    private int _start;
    private int _end;

    /// <summary>The next frame; false at the end of the stream (also in the middle of a frame).</summary>
    public bool Next(out LinkFrameKind kind, out ArraySegment<byte> payload)
    {
        while (!TryTake(out kind, out payload))
        {
            var read = stream.Read(_buffer, _end, _buffer.Length - _end);
            if (read == 0)
            {
                return false;
            }

            _end += read;
        }

        return true;
    }

    /// <summary>A whole frame out of what was read; false when more must be read first (there is room for it then).</summary>
    private bool TryTake(out LinkFrameKind kind, out ArraySegment<byte> payload)
    {
        var available = _end - _start;
        if (available >= LinkFrame.HeaderSize)
        {
            var (k, length) = LinkFrame.ReadHeader(_buffer.AsSpan(_start, LinkFrame.HeaderSize));
            if (available >= length)
            {
                kind = k;
                payload = new ArraySegment<byte>(_buffer, _start + LinkFrame.HeaderSize, length - LinkFrame.HeaderSize);
                _start += length;
                return true;
            }

            if (_start + length > _buffer.Length)
            {
                Compact();
            }
        }
        else if (_start == _end)
        {
            _start = _end = 0; // nothing pending: read from the beginning
        }
        else if (_buffer.Length - _start < LinkFrame.HeaderSize)
        {
            Compact();
        }

        kind = default;
        payload = default;
        return false;
    }

    private void Compact()
    {
        Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
        _end -= _start;
        _start = 0;
    }
}
