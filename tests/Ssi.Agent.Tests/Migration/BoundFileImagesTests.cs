using System.Text;
using Ssi.Agent.Migration.Checkpoint;

namespace Ssi.Agent.Tests.Migration;

/// <summary>files.img entries of regular files (file_entry with a reg_file_entry), as CRIU writes them.</summary>
public sealed class BoundFileImagesTests
{
    private static readonly byte[] Head = [0x54, 0x50, 0x40, 0x56, 0xa9, 0x8a, 0x14, 0x56];

    /// <summary>reg_file_entry: id, flags, pos, fown, name, mnt_id, size, mode.</summary>
    private static byte[] Regular(uint id, string name, uint flags, ulong size) => ProtoWire.Write(
    [
        ProtoField.Number32(1, 1),
        ProtoField.Number32(2, id),
        ProtoField.Bytes(3, ProtoWire.Write(
        [
            ProtoField.Number32(1, id),
            ProtoField.Number32(2, flags),
            ProtoField.Varint64(3, 0),
            ProtoField.Bytes(5, ProtoWire.Write([ProtoField.Number32(1, 0), ProtoField.Number32(2, 0), ProtoField.Number32(3, 0), ProtoField.Number32(4, 0), ProtoField.Number32(5, 0)])),
            ProtoField.Bytes(6, Encoding.UTF8.GetBytes(name)),
            ProtoField.Varint64(7, 2 * 1571),
            ProtoField.Varint64(8, size),
            ProtoField.Number32(10, 0x81a4),
        ])),
    ]);

    private static byte[] Image(params byte[][] entries) => new CriuImage(Head, [.. entries.Select(e => (ReadOnlyMemory<byte>)e)]).ToBytes();

    private static ulong? SizeOf(ReadOnlyMemory<byte> entry) => ProtoWire.Varint(ProtoWire.Parse(ProtoWire.Message(ProtoWire.Parse(entry), 3)!.Value), 8);

    [Fact]
    public void A_read_only_etc_hosts_loses_its_size_and_keeps_everything_else()
    {
        var (image, relaxed) = BoundFileImages.Rewrite(Image(Regular(1, "/etc/hosts", 0x8000, 120), Regular(2, "/data/app.log", 0x8401, 4096)), new HashSet<string> { "/etc/hosts", "/data" });

        Assert.Equal(1, relaxed);
        var entries = CriuImage.Parse(image).Entries;
        Assert.Null(SizeOf(entries[0]));
        var hosts = ProtoWire.Parse(ProtoWire.Message(ProtoWire.Parse(entries[0]), 3)!.Value);
        Assert.Equal(0x81a4UL, ProtoWire.Varint(hosts, 10));
        Assert.Equal("/etc/hosts", Encoding.UTF8.GetString(ProtoWire.Message(hosts, 6)!.Value.Span));
        Assert.Equal(4096UL, SizeOf(entries[1]));
    }

    [Fact]
    public void A_bound_file_open_for_writing_keeps_its_size()
    {
        var original = Image(Regular(1, "/etc/hosts", 0x8002, 120), Regular(2, "/etc/hosts.bak", 0x8000, 120));

        var (image, relaxed) = BoundFileImages.Rewrite(original, new HashSet<string> { "/etc/hosts" });

        Assert.Equal(0, relaxed);
        Assert.Same(original, image);
    }
}
