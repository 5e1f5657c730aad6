using System.Buffers.Binary;
using Ssi.Agent.Filesystem.Fuse;

namespace Ssi.Agent.Filesystem.Forwarding;

/// <summary>
/// What the home sends behind a reply so that the forwarding node need not ask next: the attributes
/// its kernel is about to fetch again (a parent after a create, a file after a write or a read that
/// moved its times) and the extended attribute names of a file it just looked up or made (a write
/// asks for security.capability first; nearly always there is none). Written while the link's lock is held:
/// a hint is read from disk after every change whose invalidation went out before it, and any later
/// change's invalidation follows it on the same stream.
/// </summary>
internal static class ReplyHints
{
    private const int OTrunc = 0x200;

    /// <summary>Writes the hints for <paramref name="request"/>, answered by <paramref name="reply"/>, into <paramref name="output"/>; returns their size.</summary>
    /// <param name="volatileAttributes">Node ids whose attributes nobody else may cache now (the home passes them through): no hint.</param>
    public static int Write(IFileSystem fs, Func<ulong, bool> volatileAttributes, ReadOnlySpan<byte> request, ReadOnlySpan<byte> reply, Span<byte> output)
    {
        ArgumentNullException.ThrowIfNull(fs);
        ArgumentNullException.ThrowIfNull(volatileAttributes);
        if (reply.Length < FuseProtocol.OutHeaderSize || BinaryPrimitives.ReadInt32LittleEndian(reply[4..]) != 0)
        {
            return 0;
        }

        var opcode = (FuseOpcode)BinaryPrimitives.ReadUInt32LittleEndian(request[4..]);
        var node = BinaryPrimitives.ReadUInt64LittleEndian(request[16..]);
        var body = request[FuseProtocol.InHeaderSize..];
        var answer = reply[FuseProtocol.OutHeaderSize..];
        var used = 0;
        switch (opcode)
        {
            case FuseOpcode.Lookup:
                used += Names(fs, EntryNode(answer), output);
                break;
            case FuseOpcode.Create or FuseOpcode.Mknod or FuseOpcode.Mkdir or FuseOpcode.Symlink or FuseOpcode.Link:
                used += Attributes(fs, volatileAttributes, node, output);
                used += Names(fs, EntryNode(answer), output[used..]);
                break;
            case FuseOpcode.Unlink or FuseOpcode.Rmdir:
                used += Attributes(fs, volatileAttributes, node, output);
                break;
            case FuseOpcode.Rename or FuseOpcode.Rename2:
                used += Attributes(fs, volatileAttributes, node, output);
                var newDir = BinaryPrimitives.ReadUInt64LittleEndian(body);
                if (newDir != node)
                {
                    used += Attributes(fs, volatileAttributes, newDir, output[used..]);
                }

                break;
            case FuseOpcode.Open when (BinaryPrimitives.ReadUInt32LittleEndian(body) & OTrunc) != 0:
            case FuseOpcode.Write or FuseOpcode.SetAttr or FuseOpcode.Fallocate or FuseOpcode.Read or FuseOpcode.ReadDir:
                used += Attributes(fs, volatileAttributes, node, output);
                break;
            case FuseOpcode.SetXattr or FuseOpcode.RemoveXattr:
                used += Attributes(fs, volatileAttributes, node, output);
                used += Names(fs, node, output[used..]);
                break;
            case FuseOpcode.ReadDirPlus:
                // Not the entries' attribute names: a listing asks for none now that ACLs and labels
                // are answered on the node (UnsupportedAttributes), and a listxattr per entry was half
                // the cost of a listing.
                used += Attributes(fs, volatileAttributes, node, output);
                break;
        }

        return used;
    }

    private static ulong EntryNode(ReadOnlySpan<byte> entryOut) => entryOut.Length >= 8 ? BinaryPrimitives.ReadUInt64LittleEndian(entryOut) : 0;

    private static int Attributes(IFileSystem fs, Func<ulong, bool> volatileAttributes, ulong node, Span<byte> output)
    {
        if (volatileAttributes(node))
        {
            return 0;
        }

        Span<byte> attrOut = stackalloc byte[FuseProtocol.AttrOutSize];
        try
        {
            var writer = FuseReply.Raw(attrOut);
            writer.AttrOut(fs.GetAttr(node), fs.CacheTimeout);
        }
        catch (FsError)
        {
            return 0; // gone meanwhile: no hint
        }

        return LinkFrame.WriteHint(output, node, HintKind.Attributes, attrOut);
    }

    private static int Names(IFileSystem fs, ulong node, Span<byte> output)
    {
        if (node == 0)
        {
            return 0;
        }

        Span<byte> names = stackalloc byte[512];
        int length;
        try
        {
            length = fs.ListXattr(node, names);
        }
        catch (FsError)
        {
            return 0; // too many to hint, or not to be listed: the node asks
        }

        return LinkFrame.WriteHint(output, node, HintKind.XattrNames, names[..length]);
    }
}
