using System.Buffers.Binary;
using Ssi.Agent.Filesystem.Fuse;

namespace Ssi.Agent.Filesystem.Forwarding;

/// <summary>
/// What this node's kernel holds of the home's filesystem, read off the requests and replies that
/// pass: node ids with their lookup counts (as the kernel counts them, FORGET taking them back) and
/// the files it has open. The node tells the home whenever it connects, so a home that restarted
/// knows again whom to invalidate for what, and which files are open elsewhere.
/// <para>
/// Two counts are kept per node id: the kernel's, and the home's (the lookups the home answered and
/// no FORGET has taken back: as long as it is above zero the home invalidates this node for the id).
/// When the kernel lets go of an id this node can still answer lookups of, the id is retained: no
/// FORGET goes to the home yet, so the home keeps telling this node of its changes, and a lookup after
/// the kernel dropped its caches is answered here (<see cref="LocalLookup"/>). Retained ids are let go
/// (<see cref="Expire"/>) when they are too old or too many; only then does the home hear the FORGET.
/// </para>
/// </summary>
internal sealed class NodeHoldings
{
    private const int EntryNodeIdOffset = FuseProtocol.OutHeaderSize;
    private const int DirentHeader = 24;
    private readonly Lock _gate = new();
    private readonly Dictionary<ulong, long> _lookups = [];
    private readonly Dictionary<ulong, long> _kernel = [];
    private readonly Dictionary<ulong, long> _retained = [];
    private readonly Queue<(ulong Node, long Since)> _retainedOrder = new();
    private readonly Dictionary<ulong, ulong> _open = [];

    /// <summary>Retained node ids (the kernel let go, the home still counts them for this node).</summary>
    public int RetainedCount
    {
        get
        {
            lock (_gate)
            {
                return _retained.Count;
            }
        }
    }

    /// <summary>
    /// Takes note of one forwarded request and the home's reply to it (empty for FORGET); the node ids
    /// the kernel no longer holds at all after a FORGET go into <paramref name="released"/> (the home
    /// still counts them: <see cref="Retain"/> or <see cref="Drop"/> each).
    /// </summary>
    /// <param name="forgets">Lookups the home may forget at once (the kernel still holds the ids, with fewer lookups).</param>
    public void Observe(ReadOnlySpan<byte> request, ReadOnlySpan<byte> reply, List<ulong>? released = null, List<(ulong Node, long Lookups)>? forgets = null)
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
                Forget(node, BinaryPrimitives.ReadUInt64LittleEndian(body), released, forgets);
                return;
            case FuseOpcode.BatchForget when body.Length >= 8:
                var count = BinaryPrimitives.ReadUInt32LittleEndian(body);
                for (var i = 0; i < count && 8 + (i + 1) * 16 <= body.Length; i++)
                {
                    var one = body[(8 + i * 16)..];
                    Forget(BinaryPrimitives.ReadUInt64LittleEndian(one), BinaryPrimitives.ReadUInt64LittleEndian(one[8..]), released, forgets);
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

    /// <summary>What the home counts for this node (the kernel's holdings and the retained ids): node ids with lookup counts, and open files.</summary>
    public (IReadOnlyList<(ulong Node, long Lookups)> Held, IReadOnlyList<(ulong Node, ulong Handle)> Open) Snapshot()
    {
        lock (_gate)
        {
            return ([.. _lookups.Select(l => (l.Key, l.Value))], [.. _open.Select(o => (o.Value, o.Key))]);
        }
    }

    /// <summary>Whether the home counts <paramref name="node"/> for this node now, so that it tells this node of its changes (the root always).</summary>
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

    /// <summary>
    /// This node answers the kernel's lookup with <paramref name="node"/> itself: one more lookup for the
    /// kernel, none for the home. Refused (false: the lookup must go to the home) unless the home still
    /// counts the id for this node. A retained id is the kernel's again.
    /// </summary>
    public bool LocalLookup(ulong node)
    {
        lock (_gate)
        {
            if (node != FuseProtocol.RootId && !_lookups.ContainsKey(node))
            {
                return false;
            }

            _kernel[node] = _kernel.GetValueOrDefault(node) + 1;
            _retained.Remove(node);
            return true;
        }
    }

    /// <summary>Keeps <paramref name="node"/>, which the kernel let go, counted at the home from <paramref name="now"/> on.</summary>
    public void Retain(ulong node, long now)
    {
        lock (_gate)
        {
            if (_lookups.ContainsKey(node) && !_kernel.ContainsKey(node) && _retained.TryAdd(node, now))
            {
                _retainedOrder.Enqueue((node, now));
            }
        }
    }

    /// <summary>Lets go of <paramref name="node"/>, which the kernel let go: returns the lookups the home must forget (0: none, the kernel holds it again).</summary>
    public long Drop(ulong node)
    {
        lock (_gate)
        {
            return DropLocked(node);
        }
    }

    /// <summary>
    /// Retained ids older than <paramref name="maxAge"/> ms, or beyond <paramref name="capacity"/>: let go,
    /// each with the lookups the home must forget; at most <paramref name="limit"/> at a time, the
    /// oldest first. The home takes a batch of forgets on the link's thread, ahead of the requests
    /// behind it: thousands retained together (files written together) would make those wait
    /// milliseconds if they all went at once.
    /// </summary>
    public List<(ulong Node, long Lookups)> Expire(long now, long maxAge, int capacity, int limit = int.MaxValue)
    {
        var expired = new List<(ulong, long)>();
        lock (_gate)
        {
            while (expired.Count < limit && _retainedOrder.TryPeek(out var oldest)
                && (_retained.Count > capacity || now - oldest.Since > maxAge || _retainedOrder.Count > 2 * Math.Max(capacity, 1)))
            {
                _retainedOrder.Dequeue();
                if (_retained.TryGetValue(oldest.Node, out var since) && since == oldest.Since && DropLocked(oldest.Node) is var lookups and > 0)
                {
                    expired.Add((oldest.Node, lookups));
                }
            }
        }

        return expired;
    }

    private long DropLocked(ulong node)
    {
        if (_kernel.ContainsKey(node))
        {
            return 0;
        }

        _retained.Remove(node);
        return _lookups.Remove(node, out var lookups) ? lookups : 0;
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
            _kernel[node] = _kernel.GetValueOrDefault(node) + 1;
            _retained.Remove(node);
        }
    }

    private void Opened(ulong node, ulong handle)
    {
        lock (_gate)
        {
            _open[handle] = node;
        }
    }

    /// <summary>
    /// The kernel forgot <paramref name="lookups"/> of <paramref name="node"/>. At zero it is released (the
    /// home's count stays until <see cref="Retain"/> or <see cref="Drop"/>); otherwise the home forgets as
    /// many, down to the kernel's count (lookups answered here the home never counted).
    /// </summary>
    private void Forget(ulong node, ulong lookups, List<ulong>? released, List<(ulong Node, long Lookups)>? forgets)
    {
        lock (_gate)
        {
            if (!_kernel.TryGetValue(node, out var count))
            {
                return;
            }

            var forgotten = (long)Math.Min(lookups, long.MaxValue);
            count -= forgotten;
            if (count <= 0)
            {
                _kernel.Remove(node);
                released?.Add(node);
                return;
            }

            _kernel[node] = count;
            var home = _lookups.GetValueOrDefault(node);
            var give = Math.Min(forgotten, home - count);
            if (give > 0)
            {
                _lookups[node] = home - give;
                forgets?.Add((node, give));
            }
        }
    }
}
