using System.Buffers.Binary;
using Ssi.Agent.Filesystem;
using Ssi.Agent.Filesystem.Fuse;

namespace Ssi.Agent.Tests.Filesystem;

/// <summary>The FUSE codec against byte layouts of include/uapi/linux/fuse.h.</summary>
public sealed class FuseCodecTests
{
    /// <summary>A LOOKUP of "hello" on node 1, as the kernel writes it.</summary>
    private static byte[] LookupFixture()
    {
        var message = new byte[40 + 6];
        BinaryPrimitives.WriteUInt32LittleEndian(message, (uint)message.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(message.AsSpan(4), 1);      // FUSE_LOOKUP
        BinaryPrimitives.WriteUInt64LittleEndian(message.AsSpan(8), 77);     // unique
        BinaryPrimitives.WriteUInt64LittleEndian(message.AsSpan(16), 1);     // nodeid
        BinaryPrimitives.WriteUInt32LittleEndian(message.AsSpan(24), 1000);  // uid
        BinaryPrimitives.WriteUInt32LittleEndian(message.AsSpan(28), 100);   // gid
        BinaryPrimitives.WriteUInt32LittleEndian(message.AsSpan(32), 4242);  // pid
        "hello\0"u8.CopyTo(message.AsSpan(40));
        return message;
    }

    [Fact]
    public void Request_header_and_name_are_decoded()
    {
        var request = new FuseRequest(LookupFixture());

        Assert.Equal(FuseOpcode.Lookup, request.Opcode);
        Assert.Equal(77UL, request.Unique);
        Assert.Equal(1UL, request.NodeId);
        Assert.Equal(1000u, request.Uid);
        Assert.Equal(100u, request.Gid);
        Assert.Equal(4242u, request.Pid);
        Assert.Equal("hello"u8.ToArray(), request.Name().ToArray());
        Assert.Equal(0, request.Remaining);
    }

    [Fact]
    public void A_request_whose_length_disagrees_is_refused()
    {
        var message = LookupFixture();
        BinaryPrimitives.WriteUInt32LittleEndian(message, 999);

        Assert.Throws<FuseProtocolException>(() => new FuseRequest(message));
    }

    [Fact]
    public void A_name_without_its_NUL_is_refused()
    {
        var message = LookupFixture()[..^1];
        BinaryPrimitives.WriteUInt32LittleEndian(message, (uint)message.Length);

        Assert.Throws<FuseProtocolException>(() =>
        {
            var request = new FuseRequest(message);
            request.Name();
        });
    }

    [Fact]
    public void Reading_past_the_body_is_refused()
    {
        Assert.Throws<FuseProtocolException>(() =>
        {
            var request = new FuseRequest(LookupFixture());
            request.U64();
            request.U64();
        });
    }

    [Fact]
    public void Entry_reply_has_the_kernel_layout()
    {
        var buffer = new byte[256];
        var reply = new FuseReply(buffer);
        var attributes = new NodeAttributes(5, 1234, 8, 10, 11, 20, 21, 30, 31, 0x81a4, 1, 1000, 100, 0, 4096);
        reply.Entry(new FileEntry(5, 0, attributes, TimeSpan.FromSeconds(3600), TimeSpan.FromMilliseconds(1500)));

        var message = reply.Finish(unique: 77);

        Assert.Equal(16 + 128, message.Length);                                  // out header + fuse_entry_out
        Assert.Equal(144u, BinaryPrimitives.ReadUInt32LittleEndian(message));     // len
        Assert.Equal(0, BinaryPrimitives.ReadInt32LittleEndian(message[4..]));      // error
        Assert.Equal(77UL, BinaryPrimitives.ReadUInt64LittleEndian(message[8..]));  // unique
        var body = message[16..];
        Assert.Equal(5UL, BinaryPrimitives.ReadUInt64LittleEndian(body));            // nodeid
        Assert.Equal(3600UL, BinaryPrimitives.ReadUInt64LittleEndian(body[16..]));   // entry_valid
        Assert.Equal(1UL, BinaryPrimitives.ReadUInt64LittleEndian(body[24..]));      // attr_valid
        Assert.Equal(500_000_000u, BinaryPrimitives.ReadUInt32LittleEndian(body[36..])); // attr_valid_nsec
        var attr = body[40..];
        Assert.Equal(1234UL, BinaryPrimitives.ReadUInt64LittleEndian(attr[8..]));    // size
        Assert.Equal(0x81a4u, BinaryPrimitives.ReadUInt32LittleEndian(attr[60..]));  // mode
        Assert.Equal(1000u, BinaryPrimitives.ReadUInt32LittleEndian(attr[68..]));    // uid
        Assert.Equal(4096u, BinaryPrimitives.ReadUInt32LittleEndian(attr[80..]));    // blksize
    }

    [Fact]
    public void Error_reply_is_a_bare_header_with_minus_errno()
    {
        var message = FuseReply.Error(new byte[16], 9, Errno.ENOENT);

        Assert.Equal(16u, BinaryPrimitives.ReadUInt32LittleEndian(message));
        Assert.Equal(-2, BinaryPrimitives.ReadInt32LittleEndian(message[4..]));
        Assert.Equal(9UL, BinaryPrimitives.ReadUInt64LittleEndian(message[8..]));
    }
}
