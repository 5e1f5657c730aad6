using System.Diagnostics;
using System.Text;
using Ssi.Agent.Native;

namespace Ssi.Agent.Migration.Checkpoint;

/// <summary>
/// The TCP connections of a workload that criu moves with TCP repair (both ends in the workload,
/// over loopback), on the source node. criu dumps them with <c>--tcp-established --network-lock
/// nftables</c>: it leaves them in repair mode, with their packets dropped by an nftables table
/// <c>inet CRIU-&lt;run id&gt;</c> in this node's network namespace, because the dump is left stopped.
/// The agent keeps a duplicate of each socket (pidfd_getfd, taken before the dump), so that a
/// rollback can take them out of repair mode and the original talks on as before; after a commit or
/// a rollback the lock table goes.
/// </summary>
internal sealed class RepairedConnections : IDisposable
{
    // inventory_entry.dump_criu_run_id in CRIU's inventory.proto
    private const int InventoryRunId = 13;

    // criu's char table[32] holds "inet " + the name + the terminating zero.
    private const int LockTableNameLength = 32 - 1 - 5;

    private readonly List<int> _sockets;
    private string? _lockTable;

    private RepairedConnections(List<int> sockets) => _sockets = sockets;

    public static RepairedConnections None { get; } = new([]);

    public bool Any => _sockets.Count > 0;

    /// <summary>Duplicates of the sockets at (host pid, fd), taken while the tree still runs.</summary>
    public static RepairedConnections Keep(IEnumerable<(int Pid, int Fd)> sockets) =>
        new(sockets.Select(s => Pidfd.TakeDescriptor(s.Pid, s.Fd)).ToList());

    /// <summary>After the dump: the name of criu's lock table, from the dump's inventory.</summary>
    public void NoteLockTable(string imageDirectory)
    {
        if (Any)
        {
            _lockTable = LockTableOf(File.ReadAllBytes(Path.Combine(imageDirectory, "inventory.img")));
        }
    }

    /// <summary>
    /// The nftables table criu's dump locked the connections with, or null when the inventory names
    /// no run: criu formats <c>inet CRIU-RUNID</c> into 32 bytes, so the name is cut to 26 characters.
    /// </summary>
    public static string? LockTableOf(byte[] inventory)
    {
        var entry = CriuImage.Parse(inventory, CriuImage.InventoryHeadLength).Entries.FirstOrDefault();
        var runId = entry.IsEmpty ? null : ProtoWire.Message(ProtoWire.Parse(entry), InventoryRunId);
        if (runId is not { Length: > 0 } id)
        {
            return null;
        }

        var name = "CRIU-" + Encoding.UTF8.GetString(id.Span);
        return name.Length > LockTableNameLength ? name[..LockTableNameLength] : name;
    }

    /// <summary>The original runs on: every connection leaves repair mode, the lock goes.</summary>
    public void Resume()
    {
        foreach (var socket in _sockets.Where(s => TcpRepair.IsOn(s) == true))
        {
            TcpRepair.TryLeave(socket);
        }

        Dispose();
    }

    /// <summary>The lock table goes and the duplicates are closed (the killed original's sockets, still in repair mode, end silently).</summary>
    public void Dispose()
    {
        foreach (var socket in _sockets)
        {
            FileDescriptor.Close(socket);
        }

        _sockets.Clear();
        if (Interlocked.Exchange(ref _lockTable, null) is { } table)
        {
            DeleteTable(table);
        }
    }

    private static void DeleteTable(string table)
    {
        using var nft = Process.Start(new ProcessStartInfo("nft", ["delete", "table", "inet", table])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        });
        nft?.WaitForExit(5000);
    }
}
