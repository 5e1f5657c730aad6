using System.Buffers.Binary;
using Ssi.Agent.Filesystem.Coherency;
using Ssi.Agent.Filesystem.Forwarding;
using Ssi.Agent.Filesystem.Fuse;

namespace Ssi.Agent.Tests.Filesystem.Forwarding;

/// <summary>The frames of the filesystem link, byte by byte.</summary>
public sealed class LinkFrameTests
{
    [Fact]
    public void Hello_carries_the_version_the_node_index_and_the_incarnation()
    {
        var buffer = new byte[64];

        var length = LinkFrame.Hello(buffer, 5, 0x0102030405060708);

        Assert.Equal([24, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 5, 0, 0, 0, 8, 7, 6, 5, 4, 3, 2, 1], buffer[..length]);
        Assert.Equal((LinkFrameKind.Hello, 24), LinkFrame.ReadHeader(buffer));
        Assert.Equal((2u, 5, 0x0102030405060708UL), LinkFrame.ReadHello(buffer.AsSpan(8, 16)));
    }

    [Fact]
    public void Holdings_round_trip_and_split_into_frames_of_bounded_size()
    {
        var held = Enumerable.Range(1, LinkFrame.HoldingsPerFrame + 3).Select(i => ((ulong)i, (long)i * 2)).ToList();
        List<(ulong, ulong)> open = [(7, 70), (8, 80)];

        var frames = LinkFrame.Holdings(held, open).ToList();

        Assert.Equal(2, frames.Count);
        var readHeld = new List<(ulong, long)>();
        var readOpen = new List<(ulong, ulong)>();
        foreach (var frame in frames)
        {
            var (kind, length) = LinkFrame.ReadHeader(frame);
            Assert.Equal(LinkFrameKind.Holdings, kind);
            Assert.Equal(frame.Length, length);
            var (h, o) = LinkFrame.ReadHoldings(frame.AsSpan(LinkFrame.HeaderSize));
            readHeld.AddRange(h);
            readOpen.AddRange(o);
        }

        Assert.Equal(held, readHeld);
        Assert.Equal(open, readOpen);
    }

    [Fact]
    public void Holdings_with_a_count_that_does_not_fit_the_payload_are_refused()
    {
        var frame = LinkFrame.Holdings([(1, 1)], []).Single();
        BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(LinkFrame.HeaderSize), 2);

        Assert.Throws<LinkProtocolException>(() => LinkFrame.ReadHoldings(frame.AsSpan(LinkFrame.HeaderSize)));
    }

    [Fact]
    public void Nothing_held_is_no_holdings_frame()
    {
        Assert.Empty(LinkFrame.Holdings([], []));
    }

    [Fact]
    public void An_inode_invalidation_round_trips()
    {
        var buffer = new byte[128];
        var change = CacheInvalidation.Inode(42, 4096, 8192);

        var length = LinkFrame.Invalidation(buffer, 7, change);

        Assert.Equal(LinkFrame.InvalidationSize(change), length);
        Assert.Equal((LinkFrameKind.Invalidate, length), LinkFrame.ReadHeader(buffer));
        var (id, read) = LinkFrame.ReadInvalidation(buffer.AsSpan(8, length - 8));
        Assert.Equal(7UL, id);
        Assert.Equal((42UL, 4096L, 8192L, false), (read.NodeId, read.Offset, read.Length, read.IsEntry));
    }

    [Fact]
    public void An_entry_invalidation_round_trips_with_its_name()
    {
        var buffer = new byte[128];
        var change = CacheInvalidation.Entry(9, "file.txt"u8);

        var length = LinkFrame.Invalidation(buffer, 8, change);

        Assert.Equal(LinkFrame.InvalidationSize(change), length);
        var (id, read) = LinkFrame.ReadInvalidation(buffer.AsSpan(8, length - 8));
        Assert.Equal(8UL, id);
        Assert.Equal(9UL, read.NodeId);
        Assert.Equal("file.txt"u8.ToArray(), read.Name);
    }

    [Fact]
    public void An_invalidation_whose_name_length_disagrees_with_the_frame_is_refused()
    {
        var buffer = new byte[128];
        var length = LinkFrame.Invalidation(buffer, 8, CacheInvalidation.Entry(9, "abc"u8));
        BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(8 + 17), 200);

        Assert.Throws<LinkProtocolException>(() => LinkFrame.ReadInvalidation(buffer.AsSpan(8, length - 8)));
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(7u)]
    [InlineData(LinkFrame.MaxSize + 1u)]
    public void A_header_with_an_impossible_length_is_refused(uint length)
    {
        var header = new byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(header, length);

        Assert.Throws<LinkProtocolException>(() => LinkFrame.ReadHeader(header));
    }

    [Fact]
    public void Acknowledge_carries_the_invalidation_id()
    {
        var buffer = new byte[16];

        var length = LinkFrame.Acknowledge(buffer, 0x0102030405060708);

        Assert.Equal(16, length);
        Assert.Equal(0x0102030405060708UL, LinkFrame.ReadAcknowledge(buffer.AsSpan(8, 8)));
    }

    [Fact]
    public void A_reply_is_split_from_the_hints_behind_it_and_the_hints_read_one_by_one()
    {
        var payload = new byte[24 + 16 + FuseProtocol.AttrOutSize + 16 + 8];
        var reply = new FuseReply(payload);
        reply.U64(123);
        reply.Finish(55);
        var attrOut = new byte[FuseProtocol.AttrOutSize];
        attrOut[0] = 0xAA;
        var used = LinkFrame.WriteHint(payload.AsSpan(24), 77, HintKind.Attributes, attrOut);
        used += LinkFrame.WriteHint(payload.AsSpan(24 + used), 78, HintKind.XattrNames, "user.a\0"u8);

        var (fuse, hints) = LinkFrame.SplitReply(payload);
        var rest = hints.Span;

        Assert.Equal(24, fuse.Length);
        Assert.Equal(55UL, BinaryPrimitives.ReadUInt64LittleEndian(fuse.Span[8..]));
        Assert.True(LinkFrame.NextHint(ref rest, out var node, out var kind, out var hint));
        Assert.Equal((77UL, HintKind.Attributes, 0xAA), (node, kind, hint[0]));
        Assert.True(LinkFrame.NextHint(ref rest, out node, out kind, out hint));
        Assert.Equal((78UL, HintKind.XattrNames), (node, kind));
        Assert.Equal("user.a\0"u8.ToArray(), hint.ToArray());
        Assert.False(LinkFrame.NextHint(ref rest, out _, out _, out _));
    }

    [Fact]
    public void A_hint_that_does_not_fit_is_not_written()
    {
        Assert.Equal(0, LinkFrame.WriteHint(new byte[100], 1, HintKind.Attributes, new byte[FuseProtocol.AttrOutSize]));
    }

    [Fact]
    public void A_hint_longer_than_what_is_left_is_refused()
    {
        var hints = new byte[32];
        LinkFrame.WriteHint(hints, 1, HintKind.XattrNames, new byte[16]);
        BinaryPrimitives.WriteUInt32LittleEndian(hints.AsSpan(12), 17);

        Assert.Throws<LinkProtocolException>(() =>
        {
            ReadOnlySpan<byte> rest = hints;
            LinkFrame.NextHint(ref rest, out _, out _, out _);
        });
    }

    [Theory]
    [InlineData(8)]    // shorter than a FUSE header
    [InlineData(40)]   // longer than the payload
    public void A_reply_whose_length_does_not_fit_the_payload_is_refused(int said)
    {
        var payload = new byte[24];
        BinaryPrimitives.WriteUInt32LittleEndian(payload, (uint)said);

        Assert.Throws<LinkProtocolException>(() => LinkFrame.SplitReply(payload));
    }

    [Fact]
    public void Refused_carries_the_reason_as_text()
    {
        var buffer = new byte[1024];

        var length = LinkFrame.Refused(buffer, "not the home");

        Assert.Equal((LinkFrameKind.Refused, length), LinkFrame.ReadHeader(buffer));
        Assert.Equal("not the home", System.Text.Encoding.UTF8.GetString(buffer, 8, length - 8));
    }
}
