using System.Buffers;
using System.Net.Sockets;
using Ssi.Agent.Native;

namespace Ssi.Agent.Migration.Bulk;

/// <summary>
/// One bulk link, either end: frames in (one reader at a time, blocking) and frames out (whole
/// frames, one writer at a time: TLS takes one write at a time and frames must not interleave).
/// </summary>
internal sealed class BulkConnection : IDisposable
{
    private readonly Stream _stream;
    private readonly Socket? _socket;
    private readonly BulkFrameReader _reader;
    private readonly Lock _writing = new();
    private const int PieceSize = 256 * 1024;
    private byte[]? _piece;
    private int _closed;

    /// <param name="socket">The socket under <paramref name="stream"/>, if any: lets a waiting server notice that its client went away.</param>
    public BulkConnection(Stream stream, Socket? socket = null)
    {
        _stream = stream;
        _socket = socket;
        _reader = new BulkFrameReader(stream);
    }

    /// <summary>The next frame (blocking); false when the peer ended the link between frames.</summary>
    public bool Next(out BulkFrameKind kind, out ArraySegment<byte> payload) => _reader.Next(out kind, out payload);

    /// <summary>
    /// The next frame, waiting at most <paramref name="limit"/> for it (then IOException, and the link
    /// is not to be used again); false when the peer ended the link between frames.
    /// </summary>
    public bool Next(TimeSpan limit, out BulkFrameKind kind, out ArraySegment<byte> payload)
    {
        if (_socket is not null)
        {
            _socket.ReceiveTimeout = (int)limit.TotalMilliseconds;
        }

        return _reader.Next(out kind, out payload);
    }

    /// <summary>The next frame's header (blocking); then <see cref="Payload"/> or <see cref="CopyPayloadTo"/>. False when the peer ended the link between frames.</summary>
    public bool NextHeader(out BulkFrameKind kind, out int length) => _reader.NextHeader(out kind, out length);

    /// <summary>The payload of the frame whose header was read last, whole.</summary>
    public ArraySegment<byte> Payload() => _reader.Payload();

    /// <summary>
    /// Writes the payload of the frame whose header was read last into <paramref name="fd"/> as it
    /// arrives, in pieces of 64-256 KiB (its reader need not wait for a whole frame); false when the
    /// descriptor's other side is gone (the rest of the payload is read and dropped).
    /// </summary>
    public bool CopyPayloadTo(int fd)
    {
        _piece ??= GC.AllocateUninitializedArray<byte>(PieceSize);
        var written = true;
        int read;
        while ((read = _reader.Piece(_piece, PieceSize / 4)) > 0)
        {
            written = written && FileDescriptor.TryWriteAll(fd, _piece.AsSpan(0, read));
        }

        return written;
    }

    /// <summary>Sends a whole frame, header included; throws IOException (or ObjectDisposedException) when the link is gone.</summary>
    public void Send(ReadOnlySpan<byte> frame)
    {
        lock (_writing)
        {
            _stream.Write(frame);
        }
    }

    /// <summary>Sends a whole frame unless another is being sent (then false, and nothing is sent).</summary>
    public bool TrySend(ReadOnlySpan<byte> frame)
    {
        if (!_writing.TryEnter())
        {
            return false;
        }

        try
        {
            _stream.Write(frame);
            return true;
        }
        finally
        {
            _writing.Exit();
        }
    }

    /// <summary>Sends a frame whose first <see cref="BulkFrame.HeaderSize"/> bytes are room for its header (no copy of the payload).</summary>
    public void SendFramed(BulkFrameKind kind, Span<byte> frame)
    {
        BulkFrame.WriteHeader(frame, kind, frame.Length - BulkFrame.HeaderSize);
        Send(frame);
    }

    /// <summary>Sends a frame built by <paramref name="build"/> into a small buffer (it returns the frame's length).</summary>
    public void Send(Func<byte[], int> build)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BulkFrame.HeaderSize + (2 * BulkFrame.MaxText) + 16);
        try
        {
            Send(buffer.AsSpan(0, build(buffer)));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public void Send(BulkFrameKind kind)
    {
        Span<byte> frame = stackalloc byte[BulkFrame.HeaderSize];
        Send(frame[..BulkFrame.Empty(frame, kind)]);
    }

    /// <summary>Sends bytes that are not behind room for a header: copied once into a pooled frame.</summary>
    public void SendData(ReadOnlySpan<byte> data)
    {
        for (var at = 0; at < data.Length; at += BulkFrame.MaxPayload)
        {
            var piece = data.Slice(at, Math.Min(BulkFrame.MaxPayload, data.Length - at));
            var frame = ArrayPool<byte>.Shared.Rent(BulkFrame.HeaderSize + piece.Length);
            try
            {
                piece.CopyTo(frame.AsSpan(BulkFrame.HeaderSize));
                SendFramed(BulkFrameKind.Data, frame.AsSpan(0, BulkFrame.HeaderSize + piece.Length));
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(frame);
            }
        }
    }

    /// <summary>
    /// Waits for <paramref name="task"/> while the peer sends nothing; false when the peer went away
    /// (or sent something, which it must not while it waits) or the link was closed.
    /// </summary>
    public bool WaitQuietly(Task task)
    {
        while (!task.Wait(200))
        {
            if (Volatile.Read(ref _closed) != 0)
            {
                return false;
            }

            try
            {
                if (_socket is not null && _socket.Poll(0, SelectMode.SelectRead))
                {
                    return false;
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Ends the link from this side without losing what is on the way: tells the peer that nothing
    /// more comes (its reads end), drops what it still sends until it closes too (at most
    /// <paramref name="limit"/>), then closes. Closing with unread data would reset the connection,
    /// and the peer could lose frames it had not read yet.
    /// </summary>
    public void CloseGracefully(TimeSpan limit)
    {
        try
        {
            if (_socket is not null && Volatile.Read(ref _closed) == 0)
            {
                _socket.Shutdown(SocketShutdown.Send);
                _socket.ReceiveTimeout = (int)limit.TotalMilliseconds;
                var deadline = Environment.TickCount64 + (long)limit.TotalMilliseconds;
                while (Environment.TickCount64 < deadline && Next(out _, out _))
                {
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
        }
        finally
        {
            Dispose();
        }
    }

    /// <summary>Closes the link; a blocked read or write on it ends with an exception.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }

        _stream.Dispose();
        _socket?.Dispose();
    }
}
