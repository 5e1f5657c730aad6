namespace Ssi.Agent.Migration.Checkpoint;

/// <summary>
/// Rewrites a dump so that each TCP connection that stays on this node comes back on the target as
/// the process's end of a stream socket pair, handed in with --inherit-fd like a relayed unix socket.
/// CRIU cannot inherit an inet socket, and the connection cannot move: its address belongs to this
/// node. The dump is taken with --tcp-close (the connection itself is neither repaired nor
/// locked, so it keeps working here), then in files.img the connection's inet_sk_entry becomes a
/// unix_sk_entry with the same id and inode and no peer, and every fdinfo entry naming it changes
/// type. The target then restores it from the inherited descriptor keyed socket:[INODE].
/// </summary>
internal static class RelayedTcpImages
{
    // fd_types in CRIU's fdinfo.proto
    private const uint InetSocketType = 4;
    private const uint UnixSocketType = 5;

    // file_entry: type = 1, id = 2, isk = 4, usk = 16; fdinfo_entry: id = 1, type = 3
    private const int FileType = 1;
    private const int FileId = 2;
    private const int FileInet = 4;
    private const int FileUnix = 16;
    private const int FdinfoId = 1;
    private const int FdinfoType = 3;

    // inet_sk_entry: id = 1, ino = 2, type = 4, flags = 9, fown = 13, opts = 14
    private const int InetId = 1;
    private const int InetIno = 2;
    private const int InetSocketKind = 4;
    private const int InetFlags = 9;
    private const int InetFown = 13;
    private const int InetOpts = 14;

    // A connected unix socket without a peer in the images would get a fake queuer from criu
    // (and the restore waits for it for ever); the inherited socket's state is not used anyway.
    private const uint TcpClose = 7;

    /// <summary>Rewrites the images in <paramref name="directory"/>; every inode must be a dumped inet socket.</summary>
    public static void Apply(string directory, IReadOnlySet<ulong> inodes)
    {
        if (inodes.Count == 0)
        {
            return;
        }

        var filesPath = Path.Combine(directory, "files.img");
        var (files, ids) = RewriteFiles(File.ReadAllBytes(filesPath), inodes);
        var missing = inodes.Except(ids.Values).ToList();
        if (missing.Count > 0)
        {
            throw new MigrationException($"the dump has no TCP socket with inode {string.Join(", ", missing)} to relay");
        }

        CriuImage.Replace(filesPath, files);
        foreach (var fdinfo in Directory.GetFiles(directory, "fdinfo-*.img"))
        {
            if (RewriteFdinfo(File.ReadAllBytes(fdinfo), ids.Keys.ToHashSet()) is { } rewritten)
            {
                CriuImage.Replace(fdinfo, rewritten);
            }
        }
    }

    /// <summary>files.img with each listed connection turned into an inherited unix socket; the ids (file id → inode) it turned.</summary>
    public static (byte[] Image, Dictionary<uint, ulong> Ids) RewriteFiles(byte[] image, IReadOnlySet<ulong> inodes)
    {
        var parsed = CriuImage.Parse(image);
        var ids = new Dictionary<uint, ulong>();
        var entries = new List<ReadOnlyMemory<byte>>();
        foreach (var entry in parsed.Entries)
        {
            var fields = ProtoWire.Parse(entry);
            if (ProtoWire.Varint(fields, FileType) == InetSocketType && ProtoWire.Message(fields, FileInet) is { } inetBytes)
            {
                var inet = ProtoWire.Parse(inetBytes);
                var inode = ProtoWire.Varint(inet, InetIno) ?? 0;
                if (inodes.Contains(inode))
                {
                    var id = (uint)(ProtoWire.Varint(fields, FileId) ?? 0);
                    ids[id] = inode;
                    entries.Add(ProtoWire.Write(
                    [
                        ProtoField.Number32(FileType, UnixSocketType),
                        ProtoField.Number32(FileId, id),
                        ProtoField.Bytes(FileUnix, UnixEntry(inet)),
                    ]));
                    continue;
                }
            }

            entries.Add(entry);
        }

        return (new CriuImage(parsed.Head, entries).ToBytes(), ids);
    }

    /// <summary>An fdinfo image whose entries for these file ids name a unix socket; null when none does.</summary>
    public static byte[]? RewriteFdinfo(byte[] image, IReadOnlySet<uint> ids)
    {
        var parsed = CriuImage.Parse(image);
        var changed = false;
        var entries = new List<ReadOnlyMemory<byte>>();
        foreach (var entry in parsed.Entries)
        {
            var fields = ProtoWire.Parse(entry);
            if (ProtoWire.Varint(fields, FdinfoType) == InetSocketType && ids.Contains((uint)(ProtoWire.Varint(fields, FdinfoId) ?? 0)))
            {
                changed = true;
                entries.Add(ProtoWire.Write(fields.Select(f => f.Number == FdinfoType ? ProtoField.Number32(FdinfoType, UnixSocketType) : f)));
                continue;
            }

            entries.Add(entry);
        }

        return changed ? new CriuImage(parsed.Head, entries).ToBytes() : null;
    }

    /// <summary>unix_sk_entry: id, ino, type, state, flags, uflags, backlog, peer, fown, opts, name (all required).</summary>
    private static byte[] UnixEntry(List<ProtoField> inet) => ProtoWire.Write(
    [
        ProtoField.Number32(1, (uint)(ProtoWire.Varint(inet, InetId) ?? 0)),
        ProtoField.Number32(2, (uint)(ProtoWire.Varint(inet, InetIno) ?? 0)),
        ProtoField.Number32(3, (uint)(ProtoWire.Varint(inet, InetSocketKind) ?? 1)),
        ProtoField.Number32(4, TcpClose),
        ProtoField.Number32(5, (uint)(ProtoWire.Varint(inet, InetFlags) ?? 0)),
        ProtoField.Number32(6, 0),
        ProtoField.Number32(7, 0),
        ProtoField.Number32(8, 0),
        ProtoField.Bytes(9, ProtoWire.Message(inet, InetFown) ?? throw new InvalidDataException("inet_sk_entry without fown")),
        ProtoField.Bytes(10, ProtoWire.Message(inet, InetOpts) ?? throw new InvalidDataException("inet_sk_entry without opts")),
        ProtoField.Bytes(11, ReadOnlyMemory<byte>.Empty),
    ]);
}
