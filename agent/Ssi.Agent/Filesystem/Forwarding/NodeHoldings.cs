using System.Buffers.Binary;
using Ssi.Agent.Filesystem.Fuse;

namespace Ssi.Agent.Filesystem.Forwarding;

/// <summary>
/// What this node's kernel holds of the home's filesystem, read off the requests and replies that
/// pass: node ids with their lookup counts (as the kernel counts them, FORGET taking them back) and
/// the files it has open. The node tells the home whenever it connects, so a home that restarted
/// knows again whom to invalidate for what, and which files are open elsewhere.
/// </summary>
internal sealed class NodeHoldings
{
    private const int EntryNodeIdOffset = FuseProtocol.OutHeaderSize;
    private const int DirentHeader = 24;
    private readonly Lock _gate = new();
    private readonly Dictionary<ulong, long> _lookups = [];
    private readonly Dictionary<ulong, ulong> _open = [];

    /// <summary>
    /// Takes note of one forwarded request and the home's reply to it (empty for FORGET); the node ids
    /// the kernel no longer holds at all after a FORGET go into <paramref name="released"/>.
    /// </summary>
    public void Observe(ReadOnlySpan<byte> request, ReadOnlySpan<byte> reply, List<ulong>? released = null)
    {
        if (request.Length < FuseProtocol.InHeaderSize)
        {
            return;
        }

        var opcode = (FuseOpcode)BinaryPrimitives.ReadUInt32LittleEndian(request[4..]);
        var node = BinaryPrimitives.ReadUInt64LittleEndian(request[16..]);
        var body = request[FuseProtocol.InHeaderSize..];
        switch (opcode)
        {
            case FuseOpcode.Forget when body.Length >= 8:
                Forget(node, BinaryPrimitives.ReadUInt64LittleEndian(body), released);
                return;
            case FuseOpcode.BatchForget when body.Length >= 8:
                var count = BinaryPrimitives.ReadUInt32LittleEndian(body);
                for (var i = 0; i < count && 8 + (i + 1) * 16 <= body.Length; i++)
                {
                    var one = body[(8 + i * 16)..];
                    Forget(BinaryPrimitives.ReadUInt64LittleEndian(one), BinaryPrimitives.ReadUInt64LittleEndian(one[8..]), released);
                }

                return;
            case FuseOpcode.Release when body.Length >= 8:
                lock (_gate)
                {
                    _open.Remove(BinaryPrimitives.ReadUInt64LittleEndian(body));
                }

                return;
        }

        ObserveReply(opcode, node, reply);
    }

    /// <summary>Takes note of the home's reply to a request <paramref name="opcode"/> about <paramref name="node"/>.</summary>
    public void ObserveReply(FuseOpcode opcode, ulong node, ReadOnlySpan<byte> reply)
    {
        if (reply.Length < FuseProtocol.OutHeaderSize || BinaryPrimitives.ReadInt32LittleEndian(reply[4..]) != 0)
        {
            return; // failed: the kernel got nothing
        }

        switch (opcode)
        {
            case FuseOpcode.Lookup or FuseOpcode.Mknod or FuseOpcode.Mkdir or FuseOpcode.Symlink or FuseOpcode.Link
                when reply.Length >= FuseProtocol.OutHeaderSize + FuseProtocol.EntryOutSize:
                Looked(BinaryPrimitives.ReadUInt64LittleEndian(reply[EntryNodeIdOffset..]));
                break;
            case FuseOpcode.Create or FuseOpcode.TmpFile when reply.Length >= FuseProtocol.OutHeaderSize + FuseProtocol.EntryOutSize + 16:
                var created = BinaryPrimitives.ReadUInt64LittleEndian(reply[EntryNodeIdOffset..]);
                Looked(created);
                Opened(created, BinaryPrimitives.ReadUInt64LittleEndian(reply[(FuseProtocol.OutHeaderSize + FuseProtocol.EntryOutSize)..]));
                break;
            case FuseOpcode.Open when reply.Length >= FuseProtocol.OutHeaderSize + 16:
                Opened(node, BinaryPrimitives.ReadUInt64LittleEndian(reply[FuseProtocol.OutHeaderSize..]));
                break;
            case FuseOpcode.ReadDirPlus:
                // struct fuse_direntplus: fuse_entry_out, then fuse_dirent (ino, off, namelen, type, name, padding to 8).
                for (var at = FuseProtocol.OutHeaderSize; at + FuseProtocol.EntryOutSize + DirentHeader <= reply.Length;)
                {
                    Looked(BinaryPrimitives.ReadUInt64LittleEndian(reply[at..]));
                    var nameLength = (int)BinaryPrimitives.ReadUInt32LittleEndian(reply[(at + FuseProtocol.EntryOutSize + 16)..]);
                    at += (FuseProtocol.EntryOutSize + DirentHeader + nameLength + 7) & ~7;
                }

                break;
        }
    }

    /// <summary>What the kernel holds now: node ids with lookup counts, and open files.</summary>
    public (IReadOnlyList<(ulong Node, long Lookups)> Held, IReadOnlyList<(ulong Node, ulong Handle)> Open) Snapshot()
    {
        lock (_gate)
        {
            return ([.. _lookups.Select(l => (l.Key, l.Value))], [.. _open.Select(o => (o.Value, o.Key))]);
        }
    }

    /// <summary>Whether the kernel holds <paramref name="node"/> now (the root always).</summary>
    public bool IsHeld(ulong node)
    {
        if (node == FuseProtocol.RootId)
        {
            return true;
        }

        lock (_gate)
        {
            return _lookups.ContainsKey(node);
        }
    }

    private void Looked(ulong node)
    {
        if (node == 0)
        {
            return; // "." and ".." in READDIRPLUS carry none
        }

        lock (_gate)
        {
            _lookups[node] = _lookups.GetValueOrDefault(node) + 1;
        }
    }

    private void Opened(ulong node, ulong handle)
    {
        lock (_gate)
        {
            _open[handle] = node;
        }
    }

    private void Forget(ulong node, ulong lookups, List<ulong>? released)
    {
        lock (_gate)
        {
            if (_lookups.TryGetValue(node, out var count))
            {
                count -= (long)Math.Min(lookups, long.MaxValue);
                if (count > 0)
                {
                    _lookups[node] = count;
                }
                else
                {
                    _lookups.Remove(node);
                    released?.Add(node);
                }
            }
        }
    }
}
