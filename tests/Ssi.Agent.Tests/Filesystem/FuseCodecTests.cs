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

    /// <summary>A MKDIR of "d" as the kernel writes it for a caller in the directory's group through a supplementary group (FUSE_EXT_GROUPS).</summary>
    private static byte[] MkdirWithGroupExtension(uint group)
    {
        var message = new byte[40 + 8 + 2 + 16];
        BinaryPrimitives.WriteUInt32LittleEndian(message, (uint)message.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(message.AsSpan(4), (uint)FuseOpcode.Mkdir);
        BinaryPrimitives.WriteUInt64LittleEndian(message.AsSpan(8), 3);
        BinaryPrimitives.WriteUInt64LittleEndian(message.AsSpan(16), 1);
        BinaryPrimitives.WriteUInt16LittleEndian(message.AsSpan(36), 2);      // total_extlen, 8-byte units
        BinaryPrimitives.WriteUInt32LittleEndian(message.AsSpan(40), 0x1ed);  // fuse_mkdir_in.mode
        "d\0"u8.CopyTo(message.AsSpan(48));                                  // name; the extension follows unaligned
        BinaryPrimitives.WriteUInt32LittleEndian(message.AsSpan(50), 16);     // fuse_ext_header.size
        BinaryPrimitives.WriteUInt32LittleEndian(message.AsSpan(54), 32);     // FUSE_EXT_GROUPS
        BinaryPrimitives.WriteUInt32LittleEndian(message.AsSpan(58), 1);      // nr_groups
        BinaryPrimitives.WriteUInt32LittleEndian(message.AsSpan(62), group);
        return message;
    }

    [Fact]
    public void The_supplementary_group_extension_is_decoded_and_kept_out_of_the_body()
    {
        var request = new FuseRequest(MkdirWithGroupExtension(4711));

        Assert.Equal(4711u, request.SupplementaryGroup);
        Assert.Equal(0x1edu, request.U32());
        request.Skip(4);
        Assert.Equal("d"u8.ToArray(), request.Name().ToArray());
        Assert.Equal(0, request.Remaining); // the extension is not part of the body
    }

    [Fact]
    public void A_request_without_extensions_has_no_supplementary_group()
    {
        Assert.Null(new FuseRequest(LookupFixture()).SupplementaryGroup);
    }

    [Fact]
    public void Extensions_longer_than_the_request_are_refused()
    {
        var message = LookupFixture();
        BinaryPrimitives.WriteUInt16LittleEndian(message.AsSpan(36), 2);

        Assert.Throws<FuseProtocolException>(() => new FuseRequest(message));
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

    /// <summary>A request as the kernel writes it: the header, then <paramref name="body"/>.</summary>
    internal static byte[] RequestFixture(FuseOpcode opcode, ulong unique, ulong nodeId, uint pid, byte[] body)
    {
        var message = new byte[40 + body.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(message, (uint)message.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(message.AsSpan(4), (uint)opcode);
        BinaryPrimitives.WriteUInt64LittleEndian(message.AsSpan(8), unique);
        BinaryPrimitives.WriteUInt64LittleEndian(message.AsSpan(16), nodeId);
        BinaryPrimitives.WriteUInt32LittleEndian(message.AsSpan(32), pid);
        body.CopyTo(message.AsSpan(40));
        return message;
    }

    [Fact]
    public void Ioctl_request_with_its_argument_bytes_is_decoded()
    {
        // struct fuse_ioctl_in { fh, flags, cmd, arg, in_size, out_size } + 8 bytes of TIOCSWINSZ-like input.
        var body = new byte[32 + 8];
        BinaryPrimitives.WriteUInt64LittleEndian(body, 9);                    // fh
        BinaryPrimitives.WriteUInt32LittleEndian(body.AsSpan(8), 0);          // flags: restricted
        BinaryPrimitives.WriteUInt32LittleEndian(body.AsSpan(12), 0x40087468); // cmd _IOW('t', 104, 8 bytes)
        BinaryPrimitives.WriteUInt64LittleEndian(body.AsSpan(16), 0x7ffd1000); // arg
        BinaryPrimitives.WriteUInt32LittleEndian(body.AsSpan(24), 8);         // in_size
        BinaryPrimitives.WriteUInt32LittleEndian(body.AsSpan(28), 0);         // out_size
        new byte[] { 33, 0, 99, 0, 0, 0, 0, 0 }.CopyTo(body.AsSpan(32));
        var request = new FuseRequest(RequestFixture(FuseOpcode.Ioctl, 5, 1 << 20, 4242, body));

        var ioctl = FuseIoctlIn.Read(ref request);

        Assert.Equal(FuseOpcode.Ioctl, request.Opcode);
        Assert.Equal(9UL, ioctl.FileHandle);
        Assert.Equal(0x40087468u, ioctl.Command);
        Assert.Equal(0x7ffd1000UL, ioctl.Argument);
        Assert.Equal(0u, ioctl.OutputSize);
        Assert.Equal(new byte[] { 33, 0, 99, 0, 0, 0, 0, 0 }, ioctl.Input.ToArray());
        Assert.Equal(0, request.Remaining);
    }

    [Fact]
    public void Ioctl_request_shorter_than_its_input_size_is_refused()
    {
        var body = new byte[32 + 2];
        BinaryPrimitives.WriteUInt32LittleEndian(body.AsSpan(24), 8); // in_size 8, only 2 bytes follow

        Assert.Throws<FuseProtocolException>(() =>
        {
            var request = new FuseRequest(RequestFixture(FuseOpcode.Ioctl, 5, 2, 1, body));
            FuseIoctlIn.Read(ref request);
        });
    }

    [Fact]
    public void Ioctl_reply_has_the_kernel_layout()
    {
        var buffer = new byte[64];
        var reply = new FuseReply(buffer);
        reply.IoctlOut(3, [1, 2, 3, 4]);
        var message = reply.Finish(5);

        Assert.Equal(16 + 16 + 4, message.Length);
        Assert.Equal(3, BinaryPrimitives.ReadInt32LittleEndian(message[16..]));      // result
        Assert.Equal(0u, BinaryPrimitives.ReadUInt32LittleEndian(message[20..]));    // flags: no FUSE_IOCTL_RETRY
        Assert.Equal(0u, BinaryPrimitives.ReadUInt32LittleEndian(message[24..]));    // in_iovs
        Assert.Equal(0u, BinaryPrimitives.ReadUInt32LittleEndian(message[28..]));    // out_iovs
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, message[32..].ToArray());
    }

    [Fact]
    public void Poll_request_is_decoded_with_its_kernel_handle_and_notify_flag()
    {
        var body = new byte[24];
        BinaryPrimitives.WriteUInt64LittleEndian(body, 9);                 // fh
        BinaryPrimitives.WriteUInt64LittleEndian(body.AsSpan(8), 0xabcdef); // kh
        BinaryPrimitives.WriteUInt32LittleEndian(body.AsSpan(16), 1);      // FUSE_POLL_SCHEDULE_NOTIFY
        BinaryPrimitives.WriteUInt32LittleEndian(body.AsSpan(20), 0x41);   // POLLIN | POLLRDNORM
        var request = new FuseRequest(RequestFixture(FuseOpcode.Poll, 6, 1 << 20, 1, body));

        var poll = FusePollIn.Read(ref request);

        Assert.Equal(new FusePollIn(9, 0xabcdef, 1, 0x41), poll);
        Assert.True(poll.WantsNotify);
    }

    [Fact]
    public void Poll_reply_and_poll_wakeup_notification_have_the_kernel_layout()
    {
        var buffer = new byte[32];
        var reply = new FuseReply(buffer);
        reply.PollOut(0x5);
        var message = reply.Finish(6).ToArray();
        Assert.Equal(24, message.Length);
        Assert.Equal(5u, BinaryPrimitives.ReadUInt32LittleEndian(message.AsSpan(16)));

        var wakeup = FuseReply.PollWakeup(new byte[32], 0xabcdef).ToArray();
        Assert.Equal(24u, BinaryPrimitives.ReadUInt32LittleEndian(wakeup));
        Assert.Equal(1, BinaryPrimitives.ReadInt32LittleEndian(wakeup.AsSpan(4)));    // FUSE_NOTIFY_POLL in the error field
        Assert.Equal(0UL, BinaryPrimitives.ReadUInt64LittleEndian(wakeup.AsSpan(8))); // unique 0: a notification
        Assert.Equal(0xabcdefUL, BinaryPrimitives.ReadUInt64LittleEndian(wakeup.AsSpan(16)));
    }

    [Fact]
    public void Open_reply_for_a_device_is_direct_io_nonseekable_and_a_stream()
    {
        var buffer = new byte[32];
        var reply = new FuseReply(buffer);
        reply.OpenOut(9, FuseProtocol.FopenDirectIo | FuseProtocol.FopenNonseekable | FuseProtocol.FopenStream);
        var message = reply.Finish(7).ToArray();

        Assert.Equal(32, message.Length);
        Assert.Equal(9UL, BinaryPrimitives.ReadUInt64LittleEndian(message.AsSpan(16)));
        Assert.Equal(0b10101u, BinaryPrimitives.ReadUInt32LittleEndian(message.AsSpan(24)));
    }
}
