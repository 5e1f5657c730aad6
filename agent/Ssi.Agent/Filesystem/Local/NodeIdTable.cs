using System.Buffers.Binary;

namespace Ssi.Agent.Filesystem.Local;

/// <summary>
/// Node ids that outlive the home's agent. Every id the home hands out is bound to its file's
/// handle (name_to_handle_at), and the binding is appended to a file, so after a restart the home
/// can reopen any id another node's kernel still holds (open_by_handle_at), and looks a file up
/// under the id it had before. Only handles recorded here are ever opened: an id from the wire
/// cannot name an arbitrary file. The file also numbers the home's runs (<see cref="Epoch"/>), which
/// file handles carry. Without a file, ids and epochs live as long as the agent.
/// </summary>
internal sealed class NodeIdTable : IDisposable
{
    private const ulong FirstId = 2; // 1 is the root
    private const int EpochOffset = 8;
    private static readonly byte[] Magic = "SSIIDS1\0"u8.ToArray();

    private readonly Lock _gate = new();
    private readonly Dictionary<ulong, byte[]> _handles = [];
    private readonly Dictionary<string, ulong> _ids = [];
    private readonly FileStream? _file;
    private ulong _next = FirstId;

    private NodeIdTable(FileStream? file, ushort epoch)
    {
        _file = file;
        Epoch = epoch;
    }

    /// <summary>This run of the home, never 0 and different from the previous run's (it wraps after 65,535 runs).</summary>
    public ushort Epoch { get; }

    /// <summary>Ids bound to a handle.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _handles.Count;
            }
        }
    }

    /// <summary>
    /// The table kept in <paramref name="path"/> for the backing directory whose root has handle
    /// <paramref name="rootHandle"/> (a table made for another directory is started afresh); in memory
    /// only when <paramref name="path"/> is null or the root has no handle.
    /// </summary>
    public static NodeIdTable Open(string? path, byte[] rootHandle)
    {
        ArgumentNullException.ThrowIfNull(rootHandle);
        if (path is null || rootHandle.Length == 0)
        {
            return new NodeIdTable(null, (ushort)Random.Shared.Next(1, ushort.MaxValue + 1));
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        try
        {
            var content = new byte[file.Length];
            file.ReadExactly(content);
            var header = Header(rootHandle, 0);
            var reuse = content.Length >= header.Length && content.AsSpan(0, EpochOffset).SequenceEqual(Magic)
                && content.AsSpan(EpochOffset + 4, header.Length - EpochOffset - 4).SequenceEqual(header.AsSpan(EpochOffset + 4));
            var previous = reuse ? BinaryPrimitives.ReadUInt16LittleEndian(content.AsSpan(EpochOffset)) : (ushort)0;
            var epoch = (ushort)(previous == ushort.MaxValue ? 1 : previous + 1);
            var table = new NodeIdTable(file, epoch);
            var end = header.Length;
            if (reuse)
            {
                end = table.Load(content, header.Length);
            }

            // The header with this run's epoch, then the records that were read whole (a torn last one goes).
            file.SetLength(end);
            file.Position = 0;
            file.Write(Header(rootHandle, epoch));
            file.Position = end;
            file.Flush();
            return table;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>The id of the file with <paramref name="handle"/>: the one it had, or a new one, recorded before it is returned.</summary>
    public ulong IdFor(byte[] handle)
    {
        ArgumentNullException.ThrowIfNull(handle);
        var key = Convert.ToHexString(handle);
        lock (_gate)
        {
            if (_ids.TryGetValue(key, out var known))
            {
                return known;
            }

            var id = _next++;
            _ids[key] = id;
            _handles[id] = handle;
            if (_file is not null)
            {
                var record = new byte[12 + handle.Length];
                BinaryPrimitives.WriteUInt64LittleEndian(record, id);
                BinaryPrimitives.WriteInt32LittleEndian(record.AsSpan(8), handle.Length);
                handle.CopyTo(record, 12);
                _file.Write(record);
                _file.Flush(); // in the kernel before any node hears of the id: it survives the agent
            }

            return id;
        }
    }

    /// <summary>An id for a file that has no handle: it cannot be reopened after a restart.</summary>
    public ulong NewId()
    {
        lock (_gate)
        {
            return _next++;
        }
    }

    /// <summary>The handle bound to <paramref name="id"/>, or null.</summary>
    public byte[]? HandleOf(ulong id)
    {
        lock (_gate)
        {
            return _handles.GetValueOrDefault(id);
        }
    }

    public void Dispose() => _file?.Dispose();

    private static byte[] Header(byte[] rootHandle, ushort epoch)
    {
        var header = new byte[EpochOffset + 4 + 4 + rootHandle.Length];
        Magic.CopyTo(header, 0);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(EpochOffset), epoch);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(EpochOffset + 4), rootHandle.Length);
        rootHandle.CopyTo(header, EpochOffset + 8);
        return header;
    }

    /// <summary>Reads the records from <paramref name="at"/>; returns where the last whole one ends.</summary>
    private int Load(byte[] content, int at)
    {
        while (at + 12 <= content.Length)
        {
            var id = BinaryPrimitives.ReadUInt64LittleEndian(content.AsSpan(at));
            var length = BinaryPrimitives.ReadInt32LittleEndian(content.AsSpan(at + 8));
            if (length is <= 0 or > 1024 || at + 12 + length > content.Length || id < FirstId)
            {
                break;
            }

            var handle = content.AsSpan(at + 12, length).ToArray();
            _handles[id] = handle;
            _ids[Convert.ToHexString(handle)] = id;
            _next = Math.Max(_next, id + 1);
            at += 12 + length;
        }

        return at;
    }
}
