using Ssi.Agent.Migration.Bulk;

namespace Ssi.Agent.Tests.Migration.Bulk;

/// <summary>Image files on the bulk link: small ones gathered, large ones in frames of the largest payload, every byte in order.</summary>
public sealed class ImageSenderTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ssi-images-").FullName;

    [Fact]
    public void Every_file_arrives_by_name_with_its_bytes_then_the_end()
    {
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal)
        {
            ["core-1.img"] = Bytes(1500, 1),
            ["empty.img"] = [],
            ["pages-1.img"] = Bytes((3 * BulkFrame.MaxPayload) + 77, 2),
            ["mm-1.img"] = Bytes(BulkFrame.MaxPayload - 100, 3),
            ["fs-1.img"] = Bytes(10, 4),
        };
        foreach (var (name, data) in files)
        {
            File.WriteAllBytes(Path.Combine(_directory, name), data);
        }

        var wire = new MemoryStream();
        var sender = new ImageSender(new BulkConnection(wire));
        sender.Begin("attempt-7");
        foreach (var name in files.Keys)
        {
            sender.File(Path.Combine(_directory, name));
        }

        sender.End([]);

        var reader = new BulkConnection(new MemoryStream(wire.ToArray()));
        Assert.True(reader.Next(out var kind, out var payload));
        Assert.Equal(BulkFrameKind.Images, kind);
        Assert.Equal("attempt-7", BulkFrame.ReadText(payload, kind));
        var received = new Dictionary<string, MemoryStream>(StringComparer.Ordinal);
        MemoryStream? current = null;
        while (reader.Next(out kind, out payload) && kind != BulkFrameKind.ImagesEnd)
        {
            if (kind == BulkFrameKind.ImageFile)
            {
                received[BulkFrame.ReadText(payload, kind)] = current = new MemoryStream();
                continue;
            }

            Assert.Equal(BulkFrameKind.Data, kind);
            current!.Write(payload);
        }

        Assert.Equal(BulkFrameKind.ImagesEnd, kind);
        Assert.False(reader.Next(out _, out _));
        Assert.Equal(files.Keys.Order(), received.Keys.Order());
        foreach (var (name, data) in files)
        {
            Assert.Equal(data, received[name].ToArray());
        }

        Assert.Equal(files.Values.Sum(d => (long)d.Length), sender.Bytes);
    }

    [Fact]
    public void The_restore_order_goes_right_before_the_end_after_the_last_file()
    {
        File.WriteAllBytes(Path.Combine(_directory, "core-1.img"), Bytes(300, 5));
        var order = Bytes(5000, 6);
        var wire = new MemoryStream();
        var sender = new ImageSender(new BulkConnection(wire));
        sender.Begin("attempt-8");
        sender.File(Path.Combine(_directory, "core-1.img"));
        sender.End(order);

        var reader = new BulkConnection(new MemoryStream(wire.ToArray()));
        var kinds = new List<BulkFrameKind>();
        byte[]? ordered = null;
        while (reader.Next(out var kind, out var payload))
        {
            kinds.Add(kind);
            ordered = kind == BulkFrameKind.RestoreOrder ? payload.ToArray() : ordered;
        }

        Assert.Equal([BulkFrameKind.Images, BulkFrameKind.ImageFile, BulkFrameKind.Data, BulkFrameKind.RestoreOrder, BulkFrameKind.ImagesEnd], kinds);
        Assert.Equal(order, ordered);
        Assert.Equal(300, sender.Bytes); // the order is not image data
        Assert.Throws<ArgumentOutOfRangeException>(() => new ImageSender(new BulkConnection(new MemoryStream())).End(new byte[BulkFrame.MaxPayload + 1]));
    }

    private static byte[] Bytes(int length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
