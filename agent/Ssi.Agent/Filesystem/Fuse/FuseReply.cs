using System.Buffers.Binary;

namespace Ssi.Agent.Filesystem.Fuse;

/// <summary>Builds one reply (or notification) in a caller-owned buffer: header first, then the body.</summary>
internal ref struct FuseReply
{
    /// <summary>A request handler's answer when the reply goes out later (a lock request that waits).</summary>
    public const int Later = -1;

    private readonly Span<byte> _buffer;
    private int _length;

    public FuseReply(Span<byte> buffer)
        : this(buffer, FuseProtocol.OutHeaderSize)
    {
    }

    private FuseReply(Span<byte> buffer, int start)
    {
        _buffer = buffer;
        _length = start;
    }

    /// <summary>A writer without a header, for records assembled apart (directory entries).</summary>
    public static FuseReply Raw(Span<byte> buffer) => new(buffer, 0);

    public readonly int Length => _length;

    /// <summary>Space left for the body.</summary>
    public readonly int Free => _buffer.Length - _length;

    public void U16(ushort value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(_buffer[_length..], value);
        _length += 2;
    }

    public void U32(uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer[_length..], value);
        _length += 4;
    }

    public void I32(int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(_buffer[_length..], value);
        _length += 4;
    }

    public void U64(ulong value)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(_buffer[_length..], value);
        _length += 8;
    }

    public void I64(long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(_buffer[_length..], value);
        _length += 8;
    }

    public void Zeros(int count)
    {
        _buffer.Slice(_length, count).Clear();
        _length += count;
    }

    public void Bytes(ReadOnlySpan<byte> data)
    {
        data.CopyTo(_buffer[_length..]);
        _length += data.Length;
    }

    /// <summary>Space for the body to be filled in place (e.g. by pread); then <see cref="Advance"/>.</summary>
    public readonly Span<byte> Tail => _buffer[_length..];

    public void Advance(int count) => _length += count;

    public void Align8()
    {
        var padded = (_length + 7) & ~7;
        Zeros(padded - _length);
    }

    /// <summary>struct fuse_attr.</summary>
    public void Attr(in NodeAttributes a)
    {
        U64(a.Inode);
        U64(a.Size);
        U64(a.Blocks);
        I64(a.AtimeSeconds);
        I64(a.MtimeSeconds);
        I64(a.CtimeSeconds);
        U32(a.AtimeNanoseconds);
        U32(a.MtimeNanoseconds);
        U32(a.CtimeNanoseconds);
        U32(a.Mode);
        U32(a.Nlink);
        U32(a.Uid);
        U32(a.Gid);
        U32(a.Rdev);
        U32(a.BlockSize);
        U32(0); // flags
    }

    /// <summary>struct fuse_attr_out: attributes the kernel may cache for <paramref name="timeout"/>.</summary>
    public void AttrOut(in NodeAttributes attributes, TimeSpan timeout)
    {
        U64((ulong)timeout.TotalSeconds);
        U32((uint)(timeout.Ticks % TimeSpan.TicksPerSecond * 100));
        U32(0);
        Attr(attributes);
    }

    /// <summary>struct fuse_entry_out.</summary>
    public void Entry(in FileEntry entry)
    {
        U64(entry.NodeId);
        U64(entry.Generation);
        U64((ulong)entry.EntryTimeout.TotalSeconds);
        U64((ulong)entry.AttrTimeout.TotalSeconds);
        U32((uint)(entry.EntryTimeout.Ticks % TimeSpan.TicksPerSecond * 100));
        U32((uint)(entry.AttrTimeout.Ticks % TimeSpan.TicksPerSecond * 100));
        Attr(entry.Attributes);
    }

    /// <summary>struct fuse_ioctl_out (a finished ioctl: no retry, no iovecs) followed by the bytes for the caller's memory.</summary>
    public void IoctlOut(int result, ReadOnlySpan<byte> output)
    {
        I32(result);
        U32(0); // flags
        U32(0); // in_iovs
        U32(0); // out_iovs
        Bytes(output);
    }

    /// <summary>struct fuse_poll_out.</summary>
    public void PollOut(uint revents)
    {
        U32(revents);
        U32(0);
    }

    /// <summary>struct fuse_open_out.</summary>
    public void OpenOut(ulong fileHandle, uint openFlags, int backingId = 0)
    {
        U64(fileHandle);
        U32(openFlags);
        I32(backingId);
    }

    /// <summary>Writes the header for a successful reply (or a notification with <paramref name="notifyCode"/>) and returns the message.</summary>
    public readonly ReadOnlySpan<byte> Finish(ulong unique, int notifyCode = 0)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer, (uint)_length);
        BinaryPrimitives.WriteInt32LittleEndian(_buffer[4..], notifyCode);
        BinaryPrimitives.WriteUInt64LittleEndian(_buffer[8..], unique);
        return _buffer[.._length];
    }

    /// <summary>A FUSE_NOTIFY_POLL notification (struct fuse_notify_poll_wakeup_out) for kernel poll handle <paramref name="kernelHandle"/>.</summary>
    public static ReadOnlySpan<byte> PollWakeup(Span<byte> buffer, ulong kernelHandle)
    {
        var message = new FuseReply(buffer);
        message.U64(kernelHandle);
        return message.Finish(0, FuseProtocol.NotifyPoll);
    }

    /// <summary>An error reply: header only, error = -errno.</summary>
    public static ReadOnlySpan<byte> Error(Span<byte> buffer, ulong unique, int errno)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(buffer, FuseProtocol.OutHeaderSize);
        BinaryPrimitives.WriteInt32LittleEndian(buffer[4..], -errno);
        BinaryPrimitives.WriteUInt64LittleEndian(buffer[8..], unique);
        return buffer[..FuseProtocol.OutHeaderSize];
    }
}
