using Ssi.Agent.Migration.Checkpoint;

namespace Ssi.Agent.Tests.Migration;

/// <summary>inventory.img (4-byte head, one inventory_entry with criu's own namespace ids at dump).</summary>
public sealed class JoinedUtsImagesTests
{
    private static readonly byte[] Head = [0x58, 0x31, 0x3d, 0x58];

    /// <summary>inventory_entry: img_version, fdinfo_per_id, root_ids (vm, files, fs, sighand, pid, net, ipc, uts, mnt), ns_per_id.</summary>
    private static byte[] Inventory(uint uts) => new CriuImage(Head,
    [
        ProtoWire.Write(
        [
            ProtoField.Number32(1, 2),
            ProtoField.Number32(2, 1),
            ProtoField.Bytes(3, ProtoWire.Write(
            [
                ProtoField.Number32(1, 1), ProtoField.Number32(2, 2), ProtoField.Number32(3, 3), ProtoField.Number32(4, 4),
                ProtoField.Number32(5, 5), ProtoField.Number32(6, 6), ProtoField.Number32(7, 7), ProtoField.Number32(8, uts), ProtoField.Number32(9, 9),
            ])),
            ProtoField.Number32(4, 1),
        ]),
    ]).ToBytes();

    private static ulong? UtsOf(byte[] inventory) =>
        ProtoWire.Varint(ProtoWire.Parse(ProtoWire.Message(ProtoWire.Parse(CriuImage.Parse(inventory, CriuImage.InventoryHeadLength).Entries[0]), 3)!.Value), 8);

    [Fact]
    public void A_tree_with_a_uts_namespace_of_its_own_is_recorded_as_sharing_criu_s()
    {
        var rewritten = JoinedUtsImages.Rewrite(Inventory(uts: 8), treeUts: 12)!;

        Assert.Equal(12UL, UtsOf(rewritten));
        Assert.Equal(Head, rewritten[..4]);
        Assert.Equal(Inventory(uts: 12), rewritten);
    }

    [Fact]
    public void A_tree_that_shared_criu_s_uts_namespace_is_left_alone()
    {
        Assert.Null(JoinedUtsImages.Rewrite(Inventory(uts: 8), treeUts: 8));
    }
}
