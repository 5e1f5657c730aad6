using System.Buffers.Binary;
using Ssi.Agent.Filesystem.Coherency;
using Ssi.Agent.Filesystem.Fuse;

namespace Ssi.Agent.Filesystem.Forwarding;

/// <summary>
/// What a forwarding node knows about files without asking the home: attributes (from GETATTR
/// replies and the home's hints) and which extended attributes a file does not have. Strictly
/// coherent by the same rules as the kernel's caches:
/// <list type="bullet">
/// <item>a change by another node arrives as an invalidation before that change is acknowledged: it drops
/// what this cache knows of the node id;</item>
/// <item>a change by this node drops what it may have touched when its reply arrives, and only then takes
/// the hints behind that reply (read by the home after the change);</item>
/// <item>a reply to a question (GETATTR, GETXATTR) is remembered only when nothing was dropped while it was
/// on its way (<see cref="Epoch"/>): it may have been read before a change whose invalidation came first.</item>
/// </list>
/// It also knows every name of directories this node made, as long as nobody else changes them (the
/// home tells it when they do), and answers lookups of other names there itself: creating files in a
/// new directory costs one round trip each. A node that reconnects forgets everything. And only
/// what the kernel holds is kept: the home invalidates a node only for the node ids its kernel holds,
/// so knowledge of a node id the kernel let go of (FORGET to zero, <see cref="Released"/>) is dropped
/// and not taken again until the kernel holds it again.
/// </summary>
internal sealed class ForwardingCache(TimeSpan entryTimeout, Func<ulong, bool> held)
{
    private const int MaxFiles = 65536;
    private const int MaxNames = 1 << 20;
    private const int MaxEntries = 1 << 18;
    private const int AttrNlinkOffset = 16 + 64; // struct fuse_attr_out: attr_valid, nsec, dummy, then fuse_attr's nlink
    private readonly Lock _lock = new();
    private readonly Dictionary<ulong, Known> _files = [];
    private readonly Dictionary<ulong, HashSet<string>> _complete = [];
    private readonly HashSet<ulong> _volatile = [];
    private readonly Dictionary<ulong, Dictionary<string, Child>> _entries = [];
    private int _names;
    private int _entryCount;
    private readonly HashSet<ulong> _locking = [];
    private long _epoch;
    private long _generation;

    /// <summary>Moves whenever something is forgotten; a request records it when it leaves.</summary>
    public long Epoch => Interlocked.Read(ref _epoch);

    /// <summary>Answers GETATTR, GETXATTR and LOOKUP from what is known (and GETXATTR of attributes the filesystem does not keep); returns the reply's length, 0 when the home must answer.</summary>
    public int TryAnswer(ReadOnlySpan<byte> request, Span<byte> output) => TryAnswer(request, output, out _);

    /// <summary>As above; <paramref name="looked"/> is the node id a LOOKUP was answered with (the kernel holds one more lookup of it), else 0.</summary>
    public int TryAnswer(ReadOnlySpan<byte> request, Span<byte> output, out ulong looked)
    {
        looked = 0;
        var opcode = (FuseOpcode)BinaryPrimitives.ReadUInt32LittleEndian(request[4..]);
        var unique = BinaryPrimitives.ReadUInt64LittleEndian(request[8..]);
        var node = BinaryPrimitives.ReadUInt64LittleEndian(request[16..]);
        if (opcode == FuseOpcode.GetXattr && request.Length > FuseProtocol.InHeaderSize + 8 && UnsupportedAttributes.Contains(XattrName(request)))
        {
            return FuseReply.Error(output, unique, Errno.EOPNOTSUPP).Length; // the home answers the same for every file
        }

        lock (_lock)
        {
            if (opcode == FuseOpcode.Lookup)
            {
                return AnswerLookupLocked(node, unique, request[FuseProtocol.InHeaderSize..], output, out looked);
            }

            if (!_files.TryGetValue(node, out var known) || known.Generation != _generation)
            {
                return 0;
            }

            switch (opcode)
            {
                case FuseOpcode.GetAttr when known.AttrOut is { } attrOut:
                {
                    var reply = new FuseReply(output);
                    reply.Bytes(attrOut);
                    return reply.Finish(unique).Length;
                }

                case FuseOpcode.GetXattr when request.Length > FuseProtocol.InHeaderSize + 8 && known.Lacks(XattrName(request)):
                    return FuseReply.Error(output, unique, Errno.ENODATA).Length;
                default:
                    return 0;
            }
        }
    }

    /// <summary>The name a request is about, kept with it: an attribute a GETXATTR asks for, a name a directory gains or loses.</summary>
    public static byte[]? NameOf(FuseOpcode opcode, ReadOnlySpan<byte> request)
    {
        if (opcode == FuseOpcode.GetXattr)
        {
            return request.Length > FuseProtocol.InHeaderSize + 8 ? XattrName(request).ToArray() : null;
        }

        var at = ForwardingPolicy.EntryNameOffset(opcode);
        if (at < 0 || request.Length <= FuseProtocol.InHeaderSize + at)
        {
            return null;
        }

        var name = request[(FuseProtocol.InHeaderSize + at)..];
        var end = name.IndexOf((byte)0);
        return end < 0 ? null : name[..end].ToArray();
    }

    /// <summary>A reply from the home to <paramref name="sent"/>: forget what it changed, remember what it tells, take its hints.</summary>
    public void Learn(in PendingRequest sent, ReadOnlySpan<byte> reply, ReadOnlySpan<byte> hints)
    {
        var error = BinaryPrimitives.ReadInt32LittleEndian(reply[4..]);
        lock (_lock)
        {
            // Nothing forgotten while the request travelled: what its reply says is still true.
            var fresh = sent.Epoch == _epoch;
            LearnNamesLocked(sent, error, reply, fresh);
            if (error == 0)
            {
                LearnVolatileLocked(sent, reply, fresh);
            }

            switch (ForwardingPolicy.Changes(sent.Opcode))
            {
                case ChangeScope.Node:
                    ForgetLocked(sent.NodeId);
                    break;
                case ChangeScope.All:
                    ForgetAllLocked();
                    break;
            }

            if (error == 0 && sent.Name is { } entryName)
            {
                LearnEntryLocked(sent, entryName, reply, fresh);
            }

            if (fresh && held(sent.NodeId))
            {
                if (sent.Opcode == FuseOpcode.GetAttr && error == 0 && reply.Length == FuseProtocol.OutHeaderSize + FuseProtocol.AttrOutSize && Cacheable(reply[FuseProtocol.OutHeaderSize..]))
                {
                    KnownLocked(sent.NodeId).AttrOut = reply[FuseProtocol.OutHeaderSize..].ToArray();
                }
                else if (sent.Opcode == FuseOpcode.GetXattr && error == -Errno.ENODATA && sent.Name is { } name)
                {
                    KnownLocked(sent.NodeId).AddAbsent(name);
                }
            }

            while (LinkFrame.NextHint(ref hints, out var node, out var kind, out var payload))
            {
                if (!held(node))
                {
                    continue;
                }

                switch (kind)
                {
                    case HintKind.Attributes when payload.Length == FuseProtocol.AttrOutSize && Cacheable(payload):
                        KnownLocked(node).AttrOut = payload.ToArray();
                        break;
                    case HintKind.XattrNames:
                        KnownLocked(node).Names = payload.ToArray();
                        break;
                }
            }
        }
    }

    /// <summary>Another node changed something: forget it (before the kernel is told, so that its next question is not answered from here).</summary>
    public void Invalidate(in CacheInvalidation change)
    {
        lock (_lock)
        {
            // An entry change in a directory changes the directory too.
            ForgetLocked(change.NodeId);
            ForgetNamesLocked(change.NodeId);
            ForgetEntriesLocked(change.NodeId);
            if (!change.IsEntry)
            {
                // Opens go to the home until a reply says whether it passes the file through now.
                _volatile.Add(change.NodeId);
            }
        }
    }

    /// <summary>
    /// The kernel let go of <paramref name="node"/> (FORGET to zero): the home stops telling this node
    /// about it. Nothing changed, so replies on their way stay fresh (<see cref="Epoch"/> does not move):
    /// what they say of this node is not taken, as it is not held, and what they say of others is still
    /// true. (It moved before, and the thousands of FORGETs after an unlink of many files kept a new
    /// directory from being known complete: every file made in it cost a LOOKUP at the home.)
    /// </summary>
    public void Released(ulong node)
    {
        lock (_lock)
        {
            _files.Remove(node);
            ForgetNamesLocked(node);
            ForgetEntriesLocked(node);
            _volatile.Remove(node);
        }
    }

    /// <summary>
    /// Whether the home gave <paramref name="node"/>'s attributes no cache time last: it passes the file
    /// through, so opens must reach it (it makes them direct I/O) rather than be answered here.
    /// </summary>
    public bool IsVolatile(ulong node)
    {
        lock (_lock)
        {
            return _volatile.Contains(node);
        }
    }

    /// <summary>
    /// Whether <paramref name="node"/>, which the kernel let go, is worth keeping counted at the home: its
    /// attributes are known (a lookup of it can be answered here), and it is not a removed file (whose
    /// storage the home frees only when every node forgot it).
    /// </summary>
    public bool Retainable(ulong node)
    {
        lock (_lock)
        {
            return _files.TryGetValue(node, out var known) && known.Generation == _generation && known.AttrOut is { } attrOut
                && BinaryPrimitives.ReadUInt32LittleEndian(attrOut.AsSpan(AttrNlinkOffset)) > 0 && !_volatile.Contains(node);
        }
    }

    /// <summary>The link broke: whatever changed meanwhile was not told.</summary>
    public void Clear()
    {
        lock (_lock)
        {
            ForgetAllLocked();
            _files.Clear();
            _complete.Clear();
            _names = 0;
            _volatile.Clear();
            _entries.Clear();
            _entryCount = 0;
        }
    }

    /// <summary>A lock request went out for <paramref name="node"/>: closing it must reach the home (FLUSH releases its POSIX locks there).</summary>
    public void NoteLocking(ulong node)
    {
        lock (_lock)
        {
            _locking.Add(node);
        }
    }

    public bool IsLocking(ulong node)
    {
        lock (_lock)
        {
            return _locking.Contains(node);
        }
    }

    /// <summary>A name is not in a directory whose every name this node knows: answered "no such name", as the home would.</summary>
    private int AnswerLookupLocked(ulong directory, ulong unique, ReadOnlySpan<byte> body, Span<byte> output, out ulong looked)
    {
        looked = 0;
        var end = body.IndexOf((byte)0);
        if (end is < 1 or > 255)
        {
            return 0;
        }

        var key = Key(body[..end]);
        if (_entries.TryGetValue(directory, out var children) && children.TryGetValue(key, out var child))
        {
            // A name this node looked up or made, and nobody changed since: the file, with the attributes known of it.
            if (!_files.TryGetValue(child.Node, out var known) || known.Generation != _generation || known.AttrOut is not { } attrOut
                || _volatile.Contains(child.Node) || !held(child.Node))
            {
                return 0;
            }

            var positive = new FuseReply(output);
            positive.U64(child.Node);
            positive.U64(child.Generation);
            positive.U64((ulong)(long)entryTimeout.TotalSeconds);
            positive.U64(BinaryPrimitives.ReadUInt64LittleEndian(attrOut));
            positive.U32((uint)(entryTimeout.Ticks % TimeSpan.TicksPerSecond * 100));
            positive.U32(BinaryPrimitives.ReadUInt32LittleEndian(attrOut.AsSpan(8)));
            positive.Bytes(attrOut.AsSpan(16));
            looked = child.Node;
            return positive.Finish(unique).Length;
        }

        if (!_complete.TryGetValue(directory, out var names) || names.Contains(key))
        {
            return 0;
        }

        var reply = new FuseReply(output);
        reply.Entry(new FileEntry(0, 0, default, entryTimeout, TimeSpan.Zero));
        return reply.Finish(unique).Length;
    }

    /// <summary>
    /// A new directory has no names; a name made or removed by this node is added or taken out. A failure,
    /// a rename, or a directory grown too big: its names are no longer known.
    /// </summary>
    private void LearnNamesLocked(in PendingRequest sent, int error, ReadOnlySpan<byte> reply, bool fresh)
    {
        switch (sent.Opcode)
        {
            case FuseOpcode.Create or FuseOpcode.Mknod or FuseOpcode.Mkdir or FuseOpcode.Symlink or FuseOpcode.Link
                or FuseOpcode.Unlink or FuseOpcode.Rmdir:
                if (error != 0 || sent.Name is not { } name || !_complete.TryGetValue(sent.NodeId, out var names))
                {
                    ForgetNamesLocked(sent.NodeId);
                }
                else if (sent.Opcode is FuseOpcode.Unlink or FuseOpcode.Rmdir)
                {
                    _names -= names.Remove(Key(name)) ? 1 : 0;
                }
                else if (_names < MaxNames)
                {
                    _names += names.Add(Key(name)) ? 1 : 0;
                }
                else
                {
                    ForgetNamesLocked(sent.NodeId);
                }

                if (sent.Opcode == FuseOpcode.Mkdir && error == 0 && fresh && reply.Length >= FuseProtocol.OutHeaderSize + 8)
                {
                    _complete[BinaryPrimitives.ReadUInt64LittleEndian(reply[FuseProtocol.OutHeaderSize..])] = [];
                }

                break;
            case FuseOpcode.Rename or FuseOpcode.Rename2:
                _complete.Clear();
                _names = 0;
                break;
        }
    }

    /// <summary>
    /// A name the home resolved (LOOKUP) or this node made (CREATE, MKNOD, MKDIR, SYMLINK, LINK): kept,
    /// with the attributes the reply carries, while nothing was forgotten on the way; a name found
    /// absent is dropped. Another node's change in the directory invalidates it, and drops them all.
    /// </summary>
    private void LearnEntryLocked(in PendingRequest sent, byte[] name, ReadOnlySpan<byte> reply, bool fresh)
    {
        if (sent.Opcode is not (FuseOpcode.Lookup or FuseOpcode.Create or FuseOpcode.Mknod or FuseOpcode.Mkdir or FuseOpcode.Symlink or FuseOpcode.Link)
            || reply.Length < FuseProtocol.OutHeaderSize + FuseProtocol.EntryOutSize)
        {
            return;
        }

        var entryOut = reply[FuseProtocol.OutHeaderSize..];
        var node = BinaryPrimitives.ReadUInt64LittleEndian(entryOut);
        var key = Key(name);
        if (node == 0 || !fresh || !held(node) || !held(sent.NodeId))
        {
            if (_entries.TryGetValue(sent.NodeId, out var stale) && stale.Remove(key))
            {
                _entryCount--;
            }

            return;
        }

        if (!_entries.TryGetValue(sent.NodeId, out var children))
        {
            if (_entryCount >= MaxEntries)
            {
                _entries.Clear();
                _entryCount = 0;
            }

            children = [];
            _entries[sent.NodeId] = children;
        }

        _entryCount += children.TryAdd(key, default) ? 1 : 0;
        children[key] = new Child(node, BinaryPrimitives.ReadUInt64LittleEndian(entryOut[8..]));
        // struct fuse_entry_out: nodeid, generation, entry_valid, attr_valid, entry_valid_nsec, attr_valid_nsec, attr.
        var attrValid = BinaryPrimitives.ReadUInt64LittleEndian(entryOut[24..]);
        var attrValidNsec = BinaryPrimitives.ReadUInt32LittleEndian(entryOut[36..]);
        if (attrValid != 0 || attrValidNsec != 0)
        {
            var attrOut = new byte[FuseProtocol.AttrOutSize];
            BinaryPrimitives.WriteUInt64LittleEndian(attrOut, attrValid);
            BinaryPrimitives.WriteUInt32LittleEndian(attrOut.AsSpan(8), attrValidNsec);
            entryOut.Slice(40, FuseProtocol.AttrOutSize - 16).CopyTo(attrOut.AsSpan(16));
            KnownLocked(node).AttrOut = attrOut;
        }
    }

    private void ForgetEntriesLocked(ulong directory)
    {
        if (_entries.Remove(directory, out var children))
        {
            _entryCount -= children.Count;
        }
    }

    private void ForgetNamesLocked(ulong directory)
    {
        if (_complete.Remove(directory, out var names))
        {
            _names -= names.Count;
        }
    }

    /// <summary>Names are bytes; Latin-1 maps each byte to one character and back.</summary>
    private static string Key(ReadOnlySpan<byte> name) => System.Text.Encoding.Latin1.GetString(name);

    private static ReadOnlySpan<byte> XattrName(ReadOnlySpan<byte> request)
    {
        var name = request[(FuseProtocol.InHeaderSize + 8)..];
        var end = name.IndexOf((byte)0);
        return end < 0 ? name : name[..end];
    }

    /// <summary>Reads off a reply which node ids the home gives no attribute cache time (see <see cref="IsVolatile"/>).</summary>
    private void LearnVolatileLocked(in PendingRequest sent, ReadOnlySpan<byte> reply, bool fresh)
    {
        var body = reply[FuseProtocol.OutHeaderSize..];
        switch (sent.Opcode)
        {
            case FuseOpcode.GetAttr or FuseOpcode.SetAttr when body.Length >= FuseProtocol.AttrOutSize:
                Volatile(sent.NodeId, !Cacheable(body));
                break;
            case FuseOpcode.Lookup or FuseOpcode.Create or FuseOpcode.Mknod or FuseOpcode.Mkdir or FuseOpcode.Symlink or FuseOpcode.Link or FuseOpcode.TmpFile
                when body.Length >= FuseProtocol.EntryOutSize:
                Entry(body);
                break;
            case FuseOpcode.ReadDirPlus:
                for (var at = 0; at + FuseProtocol.EntryOutSize + 24 <= body.Length;)
                {
                    Entry(body[at..]);
                    var nameLength = (int)BinaryPrimitives.ReadUInt32LittleEndian(body[(at + FuseProtocol.EntryOutSize + 16)..]);
                    at += FuseProtocol.EntryOutSize + ((24 + nameLength + 7) & ~7);
                }

                break;
        }

        void Entry(ReadOnlySpan<byte> entryOut)
        {
            // struct fuse_entry_out: nodeid, generation, entry_valid, attr_valid, entry_valid_nsec, attr_valid_nsec.
            var node = BinaryPrimitives.ReadUInt64LittleEndian(entryOut);
            if (node != 0)
            {
                Volatile(node, BinaryPrimitives.ReadUInt64LittleEndian(entryOut[24..]) == 0 && BinaryPrimitives.ReadUInt32LittleEndian(entryOut[36..]) == 0);
            }
        }

        void Volatile(ulong node, bool isVolatile)
        {
            if (isVolatile)
            {
                _volatile.Add(node);
            }
            else if (fresh)
            {
                // Not when something was invalidated while the reply travelled: the start of a
                // passthrough period may have been among it.
                _volatile.Remove(node);
            }
        }
    }

    /// <summary>Attributes the home let the kernel cache (a zero timeout: the home passes the file through and they change unseen).</summary>
    private static bool Cacheable(ReadOnlySpan<byte> attrOut) => BinaryPrimitives.ReadUInt64LittleEndian(attrOut) != 0 || BinaryPrimitives.ReadUInt32LittleEndian(attrOut[8..]) != 0;

    private Known KnownLocked(ulong node)
    {
        if (!_files.TryGetValue(node, out var known) || known.Generation != _generation)
        {
            if (_files.Count >= MaxFiles)
            {
                _files.Clear();
            }

            known = new Known(_generation);
            _files[node] = known;
        }

        return known;
    }

    private void ForgetLocked(ulong node)
    {
        _files.Remove(node);
        _epoch++;
    }

    private void ForgetAllLocked()
    {
        // Entries of an older generation count as absent; they are replaced as they are learnt again.
        _generation++;
        _epoch++;
        _entries.Clear();
        _entryCount = 0;
    }

    private readonly record struct Child(ulong Node, ulong Generation);

    private sealed class Known(long generation)
    {
        private List<byte[]>? _absent;

        public long Generation { get; } = generation;

        public byte[]? AttrOut { get; set; }

        /// <summary>Every extended attribute name, NUL-terminated each (null: not known).</summary>
        public byte[]? Names { get; set; }

        public void AddAbsent(byte[] name) => (_absent ??= []).Add(name);

        /// <summary>Whether the file is known not to have the attribute <paramref name="name"/>.</summary>
        public bool Lacks(ReadOnlySpan<byte> name)
        {
            if (Names is { } names)
            {
                for (var rest = names.AsSpan(); !rest.IsEmpty;)
                {
                    var end = rest.IndexOf((byte)0);
                    var listed = end < 0 ? rest : rest[..end];
                    if (listed.SequenceEqual(name))
                    {
                        return false;
                    }

                    rest = end < 0 ? [] : rest[(end + 1)..];
                }

                return true;
            }

            foreach (var absent in _absent ?? [])
            {
                if (absent.AsSpan().SequenceEqual(name))
                {
                    return true;
                }
            }

            return false;
        }
    }
}
