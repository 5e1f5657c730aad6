using Ssi.Agent.Filesystem.Forwarding;

namespace Ssi.Agent.Tests.Filesystem.Forwarding;

/// <summary>Reading whole frames out of a stream that hands out arbitrary pieces.</summary>
public sealed class LinkFrameReaderTests
{
    private static byte[] Frame(LinkFrameKind kind, int payloadLength, byte fill)
    {
        var frame = new byte[LinkFrame.HeaderSize + payloadLength];
        Array.Fill(frame, fill, LinkFrame.HeaderSize, payloadLength);
        LinkFrame.WriteHeader(frame, kind);
        return frame;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(4096)]
    public void Frames_arriving_in_pieces_come_out_whole_and_in_order(int piece)
    {
        byte[] bytes = [.. Frame(LinkFrameKind.Ping, 0, 0), .. Frame(LinkFrameKind.Request, 100, 1), .. Frame(LinkFrameKind.Reply, 3000, 2)];
        var reader = new LinkFrameReader(new TrickleStream(bytes, piece));

        Assert.True(reader.Next(out var kind, out var payload));
        Assert.Equal((LinkFrameKind.Ping, 0), (kind, payload.Count));
        Assert.True(reader.Next(out kind, out payload));
        Assert.Equal((LinkFrameKind.Request, 100), (kind, payload.Count));
        Assert.All(payload, b => Assert.Equal(1, b));
        Assert.True(reader.Next(out kind, out payload));
        Assert.Equal((LinkFrameKind.Reply, 3000), (kind, payload.Count));
        Assert.All(payload, b => Assert.Equal(2, b));
        Assert.False(reader.Next(out _, out _));
    }

    [Fact]
    public void Frames_of_the_largest_size_pass_one_after_another()
    {
        var big = LinkFrame.MaxSize - LinkFrame.HeaderSize;
        byte[] bytes = [.. Frame(LinkFrameKind.Request, 10, 3), .. Frame(LinkFrameKind.Reply, big, 4), .. Frame(LinkFrameKind.Reply, big, 5)];
        var reader = new LinkFrameReader(new TrickleStream(bytes, 16 * 1024 + 3));

        Assert.True(reader.Next(out _, out var payload));
        Assert.Equal(10, payload.Count);
        Assert.True(reader.Next(out _, out payload));
        Assert.Equal(big, payload.Count);
        Assert.Equal(4, payload[^1]);
        Assert.True(reader.Next(out _, out payload));
        Assert.Equal(big, payload.Count);
        Assert.Equal(5, payload[0]);
    }

    [Fact]
    public void A_stream_ending_inside_a_frame_ends_the_reading()
    {
        var reader = new LinkFrameReader(new MemoryStream(Frame(LinkFrameKind.Request, 100, 1)[..50]));

        Assert.False(reader.Next(out _, out _));
    }

    /// <summary>Hands out at most <c>piece</c> bytes per read, as a TLS stream hands out records.</summary>
    private sealed class TrickleStream(byte[] data, int piece) : MemoryStream(data)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, piece));
    }
}
