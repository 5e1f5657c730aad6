using System.Buffers.Binary;
using Ssi.Agent.Migration;
using Ssi.Agent.Migration.Checkpoint;

namespace Ssi.Agent.Tests.Migration;

/// <summary>The rewrite that turns a relayed TCP connection of a dump into an inherited unix socket, on images built byte by byte.</summary>
public sealed class RelayedTcpImagesTests
{
    private static readonly byte[] FilesMagic = Head(0x56303138);
    private static readonly byte[] FdinfoMagic = Head(0x56213732);
    private static readonly byte[] Fown = ProtoWire.Write([ProtoField.Number32(1, 0), ProtoField.Number32(2, 0), ProtoField.Number32(3, 0), ProtoField.Number32(4, 0), ProtoField.Number32(5, 0)]);
    private static readonly byte[] Opts = ProtoWire.Write([ProtoField.Number32(1, 2626560), ProtoField.Number32(2, 131072)]);

    [Fact]
    public void The_listed_connection_becomes_a_peerless_unix_socket_with_its_id_inode_flags_fown_and_opts()
    {
        var regular = ProtoWire.Write([ProtoField.Number32(1, 1), ProtoField.Number32(2, 7), ProtoField.Bytes(3, "\u0008\u0007"u8.ToArray())]);
        var image = Image(FilesMagic, regular, InetFile(0x11, 27433148, flags: 0x802), InetFile(0x12, 555, flags: 2));

        var (rewritten, ids) = RelayedTcpImages.RewriteFiles(image, new HashSet<ulong> { 27433148 });

        Assert.Equal(new Dictionary<uint, ulong> { [0x11] = 27433148 }, ids);
        var entries = CriuImage.Parse(rewritten).Entries;
        Assert.Equal(FilesMagic, CriuImage.Parse(rewritten).Head.ToArray());
        Assert.Equal(regular, entries[0].ToArray());
        Assert.Equal(InetFile(0x12, 555, flags: 2), entries[2].ToArray());
        var file = ProtoWire.Parse(entries[1]);
        Assert.Equal((5UL, 0x11UL), (ProtoWire.Varint(file, 1), ProtoWire.Varint(file, 2)));
        Assert.Null(ProtoWire.Message(file, 4));
        var unix = ProtoWire.Parse(ProtoWire.Message(file, 16)!.Value);
        Assert.Equal(
            [(1, 0x11UL), (2, 27433148UL), (3, 1UL), (4, 7UL), (5, 0x802UL), (6, 0UL), (7, 0UL), (8, 0UL)],
            unix.Where(f => f.WireType == ProtoField.VarintType).Select(f => (f.Number, f.Varint)));
        Assert.Equal(Fown, ProtoWire.Message(unix, 9)!.Value.ToArray());
        Assert.Equal(Opts, ProtoWire.Message(unix, 10)!.Value.ToArray());
        Assert.Equal(0, ProtoWire.Message(unix, 11)!.Value.Length);
    }

    [Fact]
    public void Fdinfo_entries_of_the_connection_change_type_and_others_are_left_as_they_are()
    {
        var image = Image(FdinfoMagic, Fdinfo(0x5, type: 2, fd: 0), Fdinfo(0x11, type: 4, fd: 3), Fdinfo(0x12, type: 4, fd: 4));

        var rewritten = RelayedTcpImages.RewriteFdinfo(image, new HashSet<uint> { 0x11 });

        var entries = CriuImage.Parse(rewritten!).Entries.Select(e => ProtoWire.Parse(e)).ToList();
        Assert.Equal([2UL, 5UL, 4UL], entries.Select(e => ProtoWire.Varint(e, 3)!.Value));
        Assert.Equal([0UL, 3UL, 4UL], entries.Select(e => ProtoWire.Varint(e, 4)!.Value));
        Assert.Null(RelayedTcpImages.RewriteFdinfo(image, new HashSet<uint> { 0x99 }));
    }

    [Fact]
    public void A_dump_directory_is_rewritten_in_place_and_a_missing_connection_is_an_error()
    {
        var directory = Directory.CreateTempSubdirectory("ssi-tcp-images").FullName;
        try
        {
            File.WriteAllBytes(Path.Combine(directory, "files.img"), Image(FilesMagic, InetFile(0x11, 42, flags: 2)));
            File.WriteAllBytes(Path.Combine(directory, "fdinfo-2.img"), Image(FdinfoMagic, Fdinfo(0x11, type: 4, fd: 3)));

            RelayedTcpImages.Apply(directory, new HashSet<ulong> { 42 });

            var fdinfo = ProtoWire.Parse(CriuImage.Parse(File.ReadAllBytes(Path.Combine(directory, "fdinfo-2.img"))).Entries[0]);
            Assert.Equal(5UL, ProtoWire.Varint(fdinfo, 3));
            Assert.Equal(["fdinfo-2.img", "files.img"], Directory.GetFiles(directory).Select(Path.GetFileName).Order());
            var error = Assert.Throws<MigrationException>(() => RelayedTcpImages.Apply(directory, new HashSet<ulong> { 43 }));
            Assert.Contains("43", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Wire_fields_of_every_type_survive_a_round_trip()
    {
        var message = new byte[] { 0x08, 0x96, 0x01, 0x11, 1, 2, 3, 4, 5, 6, 7, 8, 0x1a, 0x02, 0xaa, 0xbb, 0x25, 9, 9, 9, 9 };

        var fields = ProtoWire.Parse(message);

        Assert.Equal([(1, 0), (2, 1), (3, 2), (4, 5)], fields.Select(f => (f.Number, f.WireType)));
        Assert.Equal(150UL, fields[0].Varint);
        Assert.Equal(message, ProtoWire.Write(fields));
        Assert.Throws<InvalidDataException>(() => ProtoWire.Parse(new byte[] { 0x1a, 0x05, 0x01 }));
    }

    private static byte[] InetFile(uint id, ulong ino, uint flags)
    {
        var inet = ProtoWire.Write(
        [
            ProtoField.Number32(1, id), ProtoField.Number32(2, (uint)ino), ProtoField.Number32(3, 2), ProtoField.Number32(4, 1),
            ProtoField.Number32(5, 6), ProtoField.Number32(6, 1), ProtoField.Number32(7, 38022), ProtoField.Number32(8, 23456),
            ProtoField.Number32(9, flags), ProtoField.Number32(10, 0), ProtoField.Number32(11, 0x0100007f), ProtoField.Number32(12, 0x0100007f),
            ProtoField.Bytes(13, Fown), ProtoField.Bytes(14, Opts),
        ]);
        return ProtoWire.Write([ProtoField.Number32(1, 4), ProtoField.Number32(2, id), ProtoField.Bytes(4, inet)]);
    }

    private static byte[] Fdinfo(uint id, uint type, uint fd) =>
        ProtoWire.Write([ProtoField.Number32(1, id), ProtoField.Number32(2, 0), ProtoField.Number32(3, type), ProtoField.Number32(4, fd)]);

    private static byte[] Head(uint magic)
    {
        var head = new byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(head, 0x54564319);
        BinaryPrimitives.WriteUInt32LittleEndian(head.AsSpan(4), magic);
        return head;
    }

    private static byte[] Image(byte[] head, params byte[][] entries) =>
        new CriuImage(head, entries.Select(e => (ReadOnlyMemory<byte>)e).ToList()).ToBytes();
}
