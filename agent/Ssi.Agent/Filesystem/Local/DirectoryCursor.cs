using System.Buffers;
using System.Buffers.Binary;

namespace Ssi.Agent.Filesystem.Local;

/// <summary>
/// Where a listing of one open directory stands: the getdents batch read last and the entry the next
/// request starts at. The kernel asks for a listing in replies smaller than a batch (a readdirplus
/// entry is five times a dirent) and each time gives the offset it stopped at; a request that goes
/// on where the last one stopped is answered from the batch and the descriptor's own position,
/// without the lseek that would make ext4 read and hash the directory block again. The batch buffer
/// is held only while a listing is under way (rented at its first request, returned at its end):
/// an open directory that is not being listed costs no memory here.
/// </summary>
internal sealed class DirectoryCursor : IDisposable
{
    private const int BatchSize = 32 * 1024;
    private readonly Lock _lock = new();
    private byte[]? _batch;
    private bool _disposed;
    private int _at;
    private int _length;
    private long _resumeOffset;
    private bool _positioned;

    /// <summary>Whether a batch buffer is held now (a listing is under way).</summary>
    public bool HoldsBatch
    {
        get
        {
            lock (_lock)
            {
                return _batch is not null;
            }
        }
    }

    /// <summary>
    /// Hands the entries from <paramref name="offset"/> on to <paramref name="accept"/> until it
    /// refuses one (left for the next request) or the directory ends.
    /// </summary>
    /// <param name="seek">Moves the descriptor to an offset (lseek).</param>
    /// <param name="read">Reads the next batch of linux_dirent64 records (getdents64); 0 at the end.</param>
    public void Read(long offset, Action<long> seek, Func<byte[], int> read, Func<DirectoryEntry, bool> accept)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_positioned || offset != _resumeOffset || offset == 0)
            {
                seek(offset);
                _at = _length = 0;
                _resumeOffset = offset;
                _positioned = true;
            }

            var batch = _batch ??= ArrayPool<byte>.Shared.Rent(BatchSize);
            while (true)
            {
                if (_at >= _length)
                {
                    _at = 0;
                    _length = read(batch);
                    if (_length == 0)
                    {
                        ReturnBatch(); // the end: the descriptor stays there, nothing left to keep
                        return;
                    }
                }

                // struct linux_dirent64: d_ino u64, d_off i64, d_reclen u16, d_type u8, d_name.
                var record = batch.AsSpan(_at, _length - _at);
                var ino = BinaryPrimitives.ReadUInt64LittleEndian(record);
                var next = BinaryPrimitives.ReadInt64LittleEndian(record[8..]);
                var reclen = BinaryPrimitives.ReadUInt16LittleEndian(record[16..]);
                var nameBytes = record[19..reclen];
                var entry = new DirectoryEntry(ino, next, record[18], nameBytes[..nameBytes.IndexOf((byte)0)].ToArray());
                if (!accept(entry))
                {
                    return;
                }

                _at += reclen;
                _resumeOffset = next;
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            ReturnBatch();
        }
    }

    private void ReturnBatch()
    {
        if (_batch is { } batch)
        {
            _batch = null;
            ArrayPool<byte>.Shared.Return(batch);
        }
    }
}
