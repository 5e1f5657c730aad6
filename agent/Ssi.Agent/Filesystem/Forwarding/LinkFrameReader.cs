namespace Ssi.Agent.Filesystem.Forwarding;

/// <summary>
/// Reads frames from a stream: as many bytes as the stream has, then whole frames out of them. With
/// blocking reads on a thread of its own (<see cref="Next"/>) or asynchronously (<see cref="NextAsync"/>;
/// a stream that only emulates blocking reads would spin). A frame's payload stays valid until the next call.
/// </summary>
internal sealed class LinkFrameReader(Stream stream)
{
    private readonly byte[] _buffer = GC.AllocateUninitializedArray<byte>(2 * LinkFrame.MaxSize);
    private int _start;
    private int _end;

    /// <summary>The payload of the frame <see cref="NextAsync"/> returned.</summary>
    public ArraySegment<byte> Payload { get; private set; }

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

    /// <summary>The kind of the next frame (its payload in <see cref="Payload"/>); null at the end of the stream.</summary>
    public async ValueTask<LinkFrameKind?> NextAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            if (TryTake(out var kind, out var payload))
            {
                Payload = payload;
                return kind;
            }

            var read = await stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return null;
            }

            _end += read;
        }
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
