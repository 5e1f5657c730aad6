using System.Buffers.Binary;
using System.Net.Sockets;
using Ssi.Agent.Migration.Bulk;
using Ssi.Agent.Native;

namespace Ssi.Agent.Tests.Migration.Bulk;

/// <summary>Frames through a real stream: whole, in order, bounded; truncated or garbage input ends the link.</summary>
public sealed class BulkConnectionTests
{
    [Fact]
    public void Frames_arrive_whole_and_in_order_even_when_the_stream_hands_them_out_byte_by_byte()
    {
        var sent = new MemoryStream();
        var writer = new BulkConnection(sent);
        var data = Enumerable.Range(0, 300_000).Select(i => (byte)i).ToArray();
        writer.Send(buffer => BulkFrame.Attach(buffer, "o1", "node2"));
        writer.SendData(data);
        writer.Send(BulkFrameKind.Eof);

        var reader = new BulkConnection(new TrickleStream(sent.ToArray()));

        Assert.True(reader.Next(out var kind, out var payload));
        Assert.Equal(BulkFrameKind.Attach, kind);
        Assert.Equal(("o1", "node2"), BulkFrame.ReadAttach(payload));
        Assert.True(reader.Next(out kind, out payload));
        Assert.Equal(BulkFrameKind.Data, kind);
        Assert.Equal(data, payload.ToArray());
        Assert.True(reader.Next(out kind, out payload));
        Assert.Equal(BulkFrameKind.Eof, kind);
        Assert.Equal(0, payload.Count);
        Assert.False(reader.Next(out _, out _));
    }

    [Fact]
    public void Data_larger_than_a_frame_goes_in_several_frames()
    {
        var sent = new MemoryStream();
        var data = new byte[(2 * BulkFrame.MaxPayload) + 5];
        Random.Shared.NextBytes(data);

        new BulkConnection(sent).SendData(data);

        var reader = new BulkConnection(new MemoryStream(sent.ToArray()));
        var received = new List<byte>();
        var frames = 0;
        while (reader.Next(out var kind, out var payload))
        {
            Assert.Equal(BulkFrameKind.Data, kind);
            received.AddRange(payload);
            frames++;
        }

        Assert.Equal(3, frames);
        Assert.Equal(data, received.ToArray());
    }

    [Fact]
    public void A_payload_copied_into_a_descriptor_arrives_whole_and_the_next_frame_follows()
    {
        var sent = new MemoryStream();
        var writer = new BulkConnection(sent);
        var data = new byte[BulkFrame.MaxPayload];
        Random.Shared.NextBytes(data);
        writer.SendData(data);
        writer.Send(BulkFrameKind.Eof);
        var reader = new BulkConnection(new TrickleStream(sent.ToArray()));
        var (read, write) = FileDescriptor.Pipe();
        FileDescriptor.TryGrowPipe(write, BulkFrame.MaxPayload);

        Assert.True(reader.NextHeader(out var kind, out var length));
        Assert.Equal((BulkFrameKind.Data, data.Length), (kind, length));
        Assert.True(reader.CopyPayloadTo(write));
        Assert.True(reader.Next(out kind, out _));
        Assert.Equal(BulkFrameKind.Eof, kind);
        FileDescriptor.Close(write);
        var copied = new MemoryStream();
        var buffer = new byte[65536];
        for (int n; (n = FileDescriptor.Read(read, buffer)) > 0;)
        {
            copied.Write(buffer, 0, n);
        }

        FileDescriptor.Close(read);
        Assert.Equal(data, copied.ToArray());
    }

    [Fact]
    public void A_payload_whose_descriptor_has_no_reader_is_dropped_and_the_next_frame_still_follows()
    {
        var sent = new MemoryStream();
        var writer = new BulkConnection(sent);
        writer.SendData(new byte[300_000]);
        writer.Send(BulkFrameKind.Closed);
        var reader = new BulkConnection(new MemoryStream(sent.ToArray()));
        var (read, write) = FileDescriptor.Pipe();
        FileDescriptor.Close(read);

        Assert.True(reader.NextHeader(out _, out _));
        Assert.False(reader.CopyPayloadTo(write));
        Assert.True(reader.Next(out var kind, out _));
        Assert.Equal(BulkFrameKind.Closed, kind);
        FileDescriptor.Close(write);
    }

    [Fact]
    public void A_header_is_not_read_while_a_payload_is_still_unread()
    {
        var sent = new MemoryStream();
        new BulkConnection(sent).SendData(new byte[10]);
        var reader = new BulkConnection(new MemoryStream(sent.ToArray()));

        Assert.True(reader.NextHeader(out _, out _));

        Assert.Throws<InvalidOperationException>(() => reader.NextHeader(out _, out _));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(8)]
    [InlineData(100)]
    public void A_stream_that_ends_inside_a_frame_breaks_the_protocol(int keep)
    {
        var sent = new MemoryStream();
        new BulkConnection(sent).SendData(new byte[200]);

        var reader = new BulkConnection(new MemoryStream(sent.ToArray()[..keep]));

        Assert.Throws<BulkProtocolException>(() => reader.Next(out _, out _));
    }

    [Fact]
    public void A_header_that_announces_more_than_the_largest_payload_is_refused_before_anything_is_read()
    {
        var garbage = new byte[BulkFrame.HeaderSize];
        BinaryPrimitives.WriteUInt32LittleEndian(garbage, 0x7fff_ffff);
        BinaryPrimitives.WriteUInt16LittleEndian(garbage.AsSpan(4), (ushort)BulkFrameKind.Data);
        var stream = new MemoryStream(garbage);

        Assert.Throws<BulkProtocolException>(() => new BulkConnection(stream).Next(out _, out _));
        Assert.Equal(BulkFrame.HeaderSize, stream.Position);
    }

    [Fact]
    public void Random_garbage_is_refused()
    {
        var garbage = new byte[4096];
        new Random(8).NextBytes(garbage);

        Assert.Throws<BulkProtocolException>(() => new BulkConnection(new MemoryStream(garbage)).Next(out _, out _));
    }

    [Fact]
    public void A_waiting_server_notices_that_its_client_went_away()
    {
        using var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        server.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        server.Listen(1);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        client.Connect(server.LocalEndPoint!);
        using var accepted = server.Accept();
        using var link = new BulkConnection(new NetworkStream(accepted), accepted);
        var never = new TaskCompletionSource().Task;

        client.Close();

        Assert.False(link.WaitQuietly(never));
        Assert.True(link.WaitQuietly(Task.CompletedTask));
    }

    /// <summary>Hands out one byte per read, as a slow network might.</summary>
    private sealed class TrickleStream(byte[] data) : MemoryStream(data)
    {
        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(1, buffer.Length)]);

        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(1, count));
    }
}
