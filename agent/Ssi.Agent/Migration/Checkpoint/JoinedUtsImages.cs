using System.Globalization;

namespace Ssi.Agent.Migration.Checkpoint;

/// <summary>
/// Lets a tree that had a UTS namespace of its own (a pod's) join a landing placeholder's without
/// renaming it. criu creates a UTS namespace for a tree whose namespace differs from the one criu
/// ran in at dump, and with <c>--join-ns uts:...</c> it joins the placeholder's first and then sets
/// the dumped host name there: the landing pod took the source pod's name, and so did the tree.
/// Giving the inventory's ids (criu's own at dump) the tree's UTS namespace makes criu treat it as
/// shared: the tree joins the placeholder's namespace and keeps its name (the landing pod's).
/// </summary>
internal static class JoinedUtsImages
{
    // inventory_entry.root_ids = 3; pstree_entry.pid = 1; task_kobj_ids_entry.uts_ns_id = 8
    private const int InventoryRootIds = 3;
    private const int PstreePid = 1;
    private const int UtsNamespaceId = 8;

    /// <summary>Rewrites inventory.img in <paramref name="directory"/> when the tree had a UTS namespace of its own; returns whether it did.</summary>
    public static bool Apply(string directory)
    {
        var inventoryPath = Path.Combine(directory, "inventory.img");
        var pstree = CriuImage.Parse(File.ReadAllBytes(Path.Combine(directory, "pstree.img")));
        if (pstree.Entries.Count == 0 || ProtoWire.Varint(ProtoWire.Parse(pstree.Entries[0]), PstreePid) is not { } root)
        {
            throw new InvalidDataException("pstree.img names no root task");
        }

        var ids = CriuImage.Parse(File.ReadAllBytes(Path.Combine(directory, string.Create(CultureInfo.InvariantCulture, $"ids-{root}.img"))));
        if (ids.Entries.Count == 0 || ProtoWire.Varint(ProtoWire.Parse(ids.Entries[0]), UtsNamespaceId) is not { } uts)
        {
            return false;
        }

        if (Rewrite(File.ReadAllBytes(inventoryPath), (uint)uts) is not { } inventory)
        {
            return false;
        }

        CriuImage.Replace(inventoryPath, inventory);
        return true;
    }

    /// <summary>inventory.img whose root ids name <paramref name="treeUts"/> as criu's UTS namespace; null when they already do, or name none.</summary>
    public static byte[]? Rewrite(byte[] inventory, uint treeUts)
    {
        var parsed = CriuImage.Parse(inventory, CriuImage.InventoryHeadLength);
        if (parsed.Entries.Count == 0)
        {
            return null;
        }

        var fields = ProtoWire.Parse(parsed.Entries[0]);
        if (ProtoWire.Message(fields, InventoryRootIds) is not { } rootIdsBytes)
        {
            return null;
        }

        var rootIds = ProtoWire.Parse(rootIdsBytes);
        if (ProtoWire.Varint(rootIds, UtsNamespaceId) is not { } criuUts || criuUts == treeUts)
        {
            return null;
        }

        var sharing = ProtoWire.Write(rootIds.Select(f => f.Number == UtsNamespaceId ? ProtoField.Number32(UtsNamespaceId, treeUts) : f));
        var entry = ProtoWire.Write(fields.Select(f => f.Number == InventoryRootIds ? ProtoField.Bytes(InventoryRootIds, sharing) : f));
        return new CriuImage(parsed.Head, [entry, .. parsed.Entries.Skip(1)]).ToBytes();
    }
}
