using System.Buffers.Binary;
using Ssi.Agent.Migration.Bulk;

namespace Ssi.Agent.Tests.Migration.Bulk;

/// <summary>The frames of the bulk link, byte by byte, and what a frame that breaks the layout gets.</summary>
public sealed class BulkFrameTests
{
    [Fact]
    public void A_header_carries_the_payload_length_the_kind_and_zero()
    {
        var header = new byte[BulkFrame.HeaderSize];

        BulkFrame.WriteHeader(header, BulkFrameKind.Data, 0x10203);

        Assert.Equal([3, 2, 1, 0, 3, 0, 0, 0], header);
        Assert.Equal((BulkFrameKind.Data, 0x10203), BulkFrame.ReadHeader(header));
    }

    [Fact]
    public void A_payload_larger_than_the_largest_is_neither_written_nor_read()
    {
        var header = new byte[BulkFrame.HeaderSize];
        Assert.Throws<ArgumentOutOfRangeException>(() => BulkFrame.WriteHeader(header, BulkFrameKind.Data, BulkFrame.MaxPayload + 1));

        BinaryPrimitives.WriteUInt32LittleEndian(header, BulkFrame.MaxPayload + 1);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(4), (ushort)BulkFrameKind.Data);
        Assert.Throws<BulkProtocolException>(() => BulkFrame.ReadHeader(header));

        BinaryPrimitives.WriteUInt32LittleEndian(header, uint.MaxValue);
        Assert.Throws<BulkProtocolException>(() => BulkFrame.ReadHeader(header));
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(9, 0)]
    [InlineData(3, 1)]
    [InlineData(0xffff, 0)]
    public void A_header_of_an_unknown_kind_or_with_reserved_bits_is_refused(ushort kind, ushort reserved)
    {
        var header = new byte[BulkFrame.HeaderSize];
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(4), kind);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(6), reserved);

        Assert.Throws<BulkProtocolException>(() => BulkFrame.ReadHeader(header));
    }

    [Fact]
    public void Attach_round_trips_the_object_and_the_node()
    {
        var frame = new byte[256];

        var length = BulkFrame.Attach(frame, "node1.a1.0", "nœud2");

        var (kind, payload) = BulkFrame.ReadHeader(frame);
        Assert.Equal(BulkFrameKind.Attach, kind);
        Assert.Equal(length - BulkFrame.HeaderSize, payload);
        Assert.Equal(("node1.a1.0", "nœud2"), BulkFrame.ReadAttach(frame.AsSpan(BulkFrame.HeaderSize, payload)));
    }

    [Theory]
    [InlineData(new byte[] { })]
    [InlineData(new byte[] { 1 })]
    [InlineData(new byte[] { 5, 0, (byte)'a' })]
    [InlineData(new byte[] { 1, 0, (byte)'a' })]
    [InlineData(new byte[] { 1, 0, (byte)'a', 1, 0, (byte)'b', 0 })]
    [InlineData(new byte[] { 0, 0, 1, 0, (byte)'b' })]
    [InlineData(new byte[] { 1, 0, 0xff, 1, 0, (byte)'b' })]
    [InlineData(new byte[] { 0xff, 0xff, (byte)'a' })]
    public void A_broken_attach_is_refused(byte[] payload)
    {
        Assert.Throws<BulkProtocolException>(() => BulkFrame.ReadAttach(payload));
    }

    [Fact]
    public void Texts_are_bounded_and_must_be_UTF8()
    {
        var frame = new byte[BulkFrame.HeaderSize + BulkFrame.MaxText];
        var length = BulkFrame.Text(frame, BulkFrameKind.Images, "attempt-1");
        Assert.Equal("attempt-1", BulkFrame.ReadText(frame.AsSpan(BulkFrame.HeaderSize, length - BulkFrame.HeaderSize), BulkFrameKind.Images));

        Assert.Throws<ArgumentException>(() => BulkFrame.Text(new byte[4096], BulkFrameKind.Refused, new string('x', BulkFrame.MaxText + 1)));
        Assert.Throws<BulkProtocolException>(() => BulkFrame.ReadText(new byte[BulkFrame.MaxText + 1], BulkFrameKind.ImageFile));
        Assert.Throws<BulkProtocolException>(() => BulkFrame.ReadText([], BulkFrameKind.ImageFile));
        Assert.Throws<BulkProtocolException>(() => BulkFrame.ReadText([0xc3, 0x28], BulkFrameKind.ImageFile));
    }

    [Fact]
    public void Resize_and_images_received_round_trip_and_need_their_exact_size()
    {
        var frame = new byte[64];
        BulkFrame.Resize(frame, 50, 132);
        Assert.Equal(((ushort)50, (ushort)132), BulkFrame.ReadResize(frame.AsSpan(BulkFrame.HeaderSize, 4)));
        Assert.Throws<BulkProtocolException>(() => BulkFrame.ReadResize(frame.AsSpan(BulkFrame.HeaderSize, 5)));

        BulkFrame.ImagesReceived(frame, 4_500_000, 42);
        Assert.Equal((4_500_000L, 42), BulkFrame.ReadImagesReceived(frame.AsSpan(BulkFrame.HeaderSize, 12)));
        Assert.Throws<BulkProtocolException>(() => BulkFrame.ReadImagesReceived(frame.AsSpan(BulkFrame.HeaderSize, 11)));
        BinaryPrimitives.WriteInt64LittleEndian(frame.AsSpan(BulkFrame.HeaderSize), -1);
        Assert.Throws<BulkProtocolException>(() => BulkFrame.ReadImagesReceived(frame.AsSpan(BulkFrame.HeaderSize, 12)));
    }

    [Fact]
    public void Resumed_carries_when()
    {
        var frame = new byte[32];
        Assert.Equal(BulkFrame.HeaderSize + 8, BulkFrame.Resumed(frame, 1_765_000_000_123));
        Assert.Equal(1_765_000_000_123, BulkFrame.ReadResumed(frame.AsSpan(BulkFrame.HeaderSize, 8)));
        Assert.Throws<BulkProtocolException>(() => BulkFrame.ReadResumed(frame.AsSpan(BulkFrame.HeaderSize, 7)));
        BulkFrame.Resumed(frame, -1);
        Assert.Throws<BulkProtocolException>(() => BulkFrame.ReadResumed(frame.AsSpan(BulkFrame.HeaderSize, 8)));
    }

    [Fact]
    public void Restored_round_trips_and_needs_a_pid_and_a_duration()
    {
        var frame = new byte[32];
        Assert.Equal(BulkFrame.HeaderSize + 12, BulkFrame.Restored(frame, 4242, 31));
        Assert.Equal(BulkFrameKind.Restored, BulkFrame.ReadHeader(frame).Kind);
        Assert.Equal((4242, 31L), BulkFrame.ReadRestored(frame.AsSpan(BulkFrame.HeaderSize, 12)));
        Assert.Throws<BulkProtocolException>(() => BulkFrame.ReadRestored(frame.AsSpan(BulkFrame.HeaderSize, 13)));
        BulkFrame.Restored(frame, 0, 31);
        Assert.Throws<BulkProtocolException>(() => BulkFrame.ReadRestored(frame.AsSpan(BulkFrame.HeaderSize, 12)));
    }

    [Fact]
    public void Signals_carry_nothing()
    {
        BulkFrame.RequireEmpty([], BulkFrameKind.Eof);

        Assert.Throws<BulkProtocolException>(() => BulkFrame.RequireEmpty([1], BulkFrameKind.Detach));
    }
}
