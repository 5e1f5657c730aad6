using System.Buffers.Binary;

namespace Ssi.Agent.Filesystem.Fuse;

/// <summary>The header of one request from the kernel, and a cursor over its body.</summary>
internal ref struct FuseRequest
{
    private readonly ReadOnlySpan<byte> _body;
    private int _position;

    public FuseRequest(ReadOnlySpan<byte> message)
    {
        if (message.Length < FuseProtocol.InHeaderSize)
        {
            throw new FuseProtocolException($"request of {message.Length} bytes is shorter than the header");
        }

        var length = BinaryPrimitives.ReadUInt32LittleEndian(message);
        if (length != message.Length)
        {
            throw new FuseProtocolException($"request says {length} bytes, {message.Length} were read");
        }

        Opcode = (FuseOpcode)BinaryPrimitives.ReadUInt32LittleEndian(message[4..]);
        Unique = BinaryPrimitives.ReadUInt64LittleEndian(message[8..]);
        NodeId = BinaryPrimitives.ReadUInt64LittleEndian(message[16..]);
        Uid = BinaryPrimitives.ReadUInt32LittleEndian(message[24..]);
        Gid = BinaryPrimitives.ReadUInt32LittleEndian(message[28..]);
        Pid = BinaryPrimitives.ReadUInt32LittleEndian(message[32..]);
        var extensions = BinaryPrimitives.ReadUInt16LittleEndian(message[36..]) * 8;
        if (extensions > message.Length - FuseProtocol.InHeaderSize)
        {
            throw new FuseProtocolException($"request of {message.Length} bytes says it ends with {extensions} bytes of extensions");
        }

        _body = message[FuseProtocol.InHeaderSize..^extensions];
        _position = 0;
        SupplementaryGroup = GroupExtension(message[^extensions..]);
    }

    public FuseOpcode Opcode { get; }

    public ulong Unique { get; }

    public ulong NodeId { get; }

    public uint Uid { get; }

    public uint Gid { get; }

    public uint Pid { get; }

    /// <summary>The group of the FUSE_EXT_GROUPS extension (a create in a set-group-ID directory whose group the caller has as a supplementary group).</summary>
    public uint? SupplementaryGroup { get; }

    public readonly int Remaining => _body.Length - _position;

    public uint U32()
    {
        var value = BinaryPrimitives.ReadUInt32LittleEndian(Take(4));
        return value;
    }

    public ulong U64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8));

    /// <summary>The next u64 of the body, left to be read.</summary>
    public readonly ulong PeekU64() => _position + 8 <= _body.Length
        ? BinaryPrimitives.ReadUInt64LittleEndian(_body[_position..])
        : throw new FuseProtocolException($"{Opcode} body is {_body.Length} bytes, peeking 8 at {_position}");

    public void Skip(int count) => Take(count);

    /// <summary>A NUL-terminated name (without its NUL).</summary>
    public ReadOnlySpan<byte> Name()
    {
        var rest = _body[_position..];
        var end = rest.IndexOf((byte)0);
        if (end < 0)
        {
            throw new FuseProtocolException("name is not NUL-terminated");
        }

        _position += end + 1;
        return rest[..end];
    }

    public ReadOnlySpan<byte> Bytes(int count) => Take(count);

    public ReadOnlySpan<byte> Rest()
    {
        var rest = _body[_position..];
        _position = _body.Length;
        return rest;
    }

    /// <summary>Walks the request extensions (struct fuse_ext_header: size including itself, type) for FUSE_EXT_GROUPS.</summary>
    private static uint? GroupExtension(ReadOnlySpan<byte> extensions)
    {
        while (extensions.Length >= 8)
        {
            var size = (int)BinaryPrimitives.ReadUInt32LittleEndian(extensions);
            var type = BinaryPrimitives.ReadUInt32LittleEndian(extensions[4..]);
            if (size < 8 || size > extensions.Length)
            {
                throw new FuseProtocolException($"request extension of {size} bytes in {extensions.Length}");
            }

            // struct fuse_supp_groups: nr_groups, groups[].
            if (type == FuseProtocol.ExtGroups && size >= 16 && BinaryPrimitives.ReadUInt32LittleEndian(extensions[8..]) >= 1)
            {
                return BinaryPrimitives.ReadUInt32LittleEndian(extensions[12..]);
            }

            extensions = extensions[size..];
        }

        return null;
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (_position + count > _body.Length)
        {
            throw new FuseProtocolException($"{Opcode} body is {_body.Length} bytes, reading {count} at {_position}");
        }

        var span = _body.Slice(_position, count);
        _position += count;
        return span;
    }
}
