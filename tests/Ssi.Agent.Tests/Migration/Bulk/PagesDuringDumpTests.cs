using Ssi.Agent.Migration.Bulk;

namespace Ssi.Agent.Tests.Migration.Bulk;

/// <summary>Memory images leave as criu closes them; the rest waits for the end of the dump.</summary>
public sealed class PagesDuringDumpTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ssi-dump-").FullName;

    [Fact]
    public void A_pages_image_goes_when_it_is_closed_and_the_other_images_stay()
    {
        var wire = new MemoryStream();
        var sender = new ImageSender(new BulkConnection(wire));
        sender.Begin("attempt-1");
        var pages = new byte[(2 * BulkFrame.MaxPayload) + 5];
        new Random(1).NextBytes(pages);

        IReadOnlySet<string> sent;
        using (var stream = new PagesDuringDump(_directory, sender))
        {
            File.WriteAllBytes(Path.Combine(_directory, "pages-1.img"), pages);
            File.WriteAllBytes(Path.Combine(_directory, "core-1.img"), [1, 2, 3]);
            File.WriteAllBytes(Path.Combine(_directory, "pagemap-1.img"), [4]);
            sent = stream.Finish();
        }

        Assert.Equal(["pages-1.img"], sent);
        Assert.Equal(pages.Length, sender.Bytes);
        var reader = new BulkConnection(new MemoryStream(wire.ToArray()));
        Assert.True(reader.Next(out var kind, out _));
        Assert.Equal(BulkFrameKind.Images, kind);
        Assert.True(reader.Next(out kind, out var payload));
        Assert.Equal("pages-1.img", BulkFrame.ReadText(payload, kind));
        var received = new MemoryStream();
        while (reader.Next(out kind, out payload))
        {
            Assert.Equal(BulkFrameKind.Data, kind);
            received.Write(payload);
        }

        Assert.Equal(pages, received.ToArray());
    }

    [Fact]
    public void A_link_that_broke_during_the_dump_fails_the_checkpoint()
    {
        var sender = new ImageSender(new BulkConnection(new BrokenStream()));
        using var stream = new PagesDuringDump(_directory, sender);
        File.WriteAllBytes(Path.Combine(_directory, "pages-1.img"), new byte[BulkFrame.MaxPayload + 1]);

        var error = Assert.Throws<IOException>(() => stream.Finish());

        Assert.Contains("during the dump", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Nothing_closed_nothing_sent()
    {
        var sender = new ImageSender(new BulkConnection(new MemoryStream()));
        using var stream = new PagesDuringDump(_directory, sender);

        Assert.Empty(stream.Finish());
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private sealed class BrokenStream : MemoryStream
    {
        public override void Write(ReadOnlySpan<byte> buffer) => throw new IOException("connection reset by peer");

        public override void Write(byte[] buffer, int offset, int count) => throw new IOException("connection reset by peer");
    }
}
