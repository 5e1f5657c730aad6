using Microsoft.Win32.SafeHandles;

namespace Ssi.Agent.Migration.Bulk;

/// <summary>
/// Sends the image files of a checkpoint over a bulk link: each file as an ImageFile frame and its
/// bytes as Data frames, read straight into the frame buffer. The many small files of a dump go
/// out together in a few large writes (one TLS record per 16 KiB, not one per frame); a large file
/// (the memory pages) goes in 1 MiB frames.
/// </summary>
internal sealed class ImageSender(BulkConnection link)
{
    private readonly byte[] _buffer = GC.AllocateUninitializedArray<byte>(BulkFrame.HeaderSize + BulkFrame.MaxPayload);
    private int _used;
    private long _bytes;

    /// <summary>The bytes of image data sent so far.</summary>
    public long Bytes => _bytes;

    public void Begin(string attemptId) => _used += BulkFrame.Text(_buffer.AsSpan(_used), BulkFrameKind.Images, attemptId);

    public void File(string path)
    {
        using var handle = System.IO.File.OpenHandle(path);
        var length = RandomAccess.GetLength(handle);
        Reserve((2 * BulkFrame.HeaderSize) + BulkFrame.MaxText);
        _used += BulkFrame.Text(_buffer.AsSpan(_used), BulkFrameKind.ImageFile, Path.GetFileName(path));
        if (length <= _buffer.Length - _used - BulkFrame.HeaderSize)
        {
            // Small: behind the frames already gathered.
            Append(handle, (int)length);
            return;
        }

        Flush();
        int read;
        for (long offset = 0; (read = RandomAccess.Read(handle, _buffer.AsSpan(BulkFrame.HeaderSize, BulkFrame.MaxPayload), offset)) > 0; offset += read)
        {
            link.SendFramed(BulkFrameKind.Data, _buffer.AsSpan(0, BulkFrame.HeaderSize + read));
            _bytes += read;
        }
    }

    /// <summary>
    /// Sends the restore the target is to start as soon as the images are in (<paramref name="order"/>,
    /// a serialized RestoreRequest; none when empty), the end of the images, and everything gathered.
    /// </summary>
    public void End(ReadOnlySpan<byte> order)
    {
        if (order.Length > BulkFrame.MaxPayload)
        {
            throw new ArgumentOutOfRangeException(nameof(order), order.Length, $"a restore order of at most {BulkFrame.MaxPayload} bytes");
        }

        if (!order.IsEmpty)
        {
            Reserve(BulkFrame.HeaderSize + order.Length);
            BulkFrame.WriteHeader(_buffer.AsSpan(_used), BulkFrameKind.RestoreOrder, order.Length);
            order.CopyTo(_buffer.AsSpan(_used + BulkFrame.HeaderSize));
            _used += BulkFrame.HeaderSize + order.Length;
        }

        Reserve(BulkFrame.HeaderSize);
        _used += BulkFrame.Empty(_buffer.AsSpan(_used), BulkFrameKind.ImagesEnd);
        Flush();
    }

    private void Append(SafeFileHandle handle, int length)
    {
        if (length == 0)
        {
            return;
        }

        var data = _buffer.AsSpan(_used + BulkFrame.HeaderSize, length);
        for (var at = 0; at < length;)
        {
            var read = RandomAccess.Read(handle, data[at..], at);
            at += read > 0 ? read : throw new IOException($"an image file shrank while it was sent ({at} of {length} bytes)");
        }

        BulkFrame.WriteHeader(_buffer.AsSpan(_used), BulkFrameKind.Data, length);
        _used += BulkFrame.HeaderSize + length;
        _bytes += length;
    }

    private void Reserve(int bytes)
    {
        if (_buffer.Length - _used < bytes)
        {
            Flush();
        }
    }

    private void Flush()
    {
        if (_used > 0)
        {
            link.Send(_buffer.AsSpan(0, _used));
            _used = 0;
        }
    }
}
