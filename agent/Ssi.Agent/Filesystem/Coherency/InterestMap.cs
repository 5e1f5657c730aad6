namespace Ssi.Agent.Filesystem.Coherency;

/// <summary>
/// Which nodes' kernels may cache each node id (a bit per node index), counted as the kernels count
/// it: every reply that gives a kernel the node (LOOKUP, CREATE, MKNOD, MKDIR, SYMLINK, LINK, a
/// READDIRPLUS entry) adds one, FORGET takes its count away, and at zero the node no longer holds it
/// and gets no more invalidations for it. A request about a node the map thought forgotten marks it
/// held again. A node tells what its kernel holds when it connects, which also rebuilds the map
/// after a restart of the home.
/// </summary>
internal sealed class InterestMap
{
    private readonly Lock _lock = new();
    private readonly Dictionary<ulong, ulong> _holders = [];
    private readonly Dictionary<(ulong Node, int Index), long> _counts = [];

    /// <summary>Node ids with at least one holder.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _holders.Count;
            }
        }
    }

    /// <summary>A reply gave node <paramref name="nodeIndex"/>'s kernel <paramref name="node"/> (one more lookup of it).</summary>
    public void Looked(ulong node, int nodeIndex) => Add(node, nodeIndex, 1, atLeast: false);

    /// <summary>Node <paramref name="nodeIndex"/> asked about <paramref name="node"/>: its kernel holds it.</summary>
    public void Touched(ulong node, int nodeIndex) => Add(node, nodeIndex, 1, atLeast: true);

    /// <summary>Node <paramref name="nodeIndex"/>'s kernel reports holding <paramref name="node"/> with <paramref name="lookups"/> lookups (counts only grow here: a report may be a moment old).</summary>
    public void Reported(ulong node, int nodeIndex, long lookups) => Add(node, nodeIndex, lookups, atLeast: true);

    /// <summary>FORGET: node <paramref name="nodeIndex"/>'s kernel dropped <paramref name="lookups"/> lookups of <paramref name="node"/>.</summary>
    public void Forget(ulong node, int nodeIndex, ulong lookups)
    {
        if (nodeIndex is < 0 or > 63)
        {
            return;
        }

        lock (_lock)
        {
            if (!_counts.TryGetValue((node, nodeIndex), out var count))
            {
                return;
            }

            count -= (long)Math.Min(lookups, long.MaxValue);
            if (count > 0)
            {
                _counts[(node, nodeIndex)] = count;
                return;
            }

            _counts.Remove((node, nodeIndex));
            var holders = _holders[node] & ~(1UL << nodeIndex);
            if (holders == 0)
            {
                _holders.Remove(node);
            }
            else
            {
                _holders[node] = holders;
            }
        }
    }

    /// <summary>Node <paramref name="nodeIndex"/>'s kernel holds nothing any more (its mount is gone).</summary>
    public void DropNode(int nodeIndex)
    {
        foreach (var node in HeldBy(nodeIndex))
        {
            Forget(node, nodeIndex, ulong.MaxValue);
        }
    }

    /// <summary>Every node id that node <paramref name="nodeIndex"/> may cache.</summary>
    public IReadOnlyList<ulong> HeldBy(int nodeIndex)
    {
        lock (_lock)
        {
            return _holders.Where(h => (h.Value & (1UL << nodeIndex)) != 0).Select(h => h.Key).ToList();
        }
    }

    public ulong Holders(ulong node)
    {
        lock (_lock)
        {
            return _holders.GetValueOrDefault(node);
        }
    }

    private void Add(ulong node, int nodeIndex, long lookups, bool atLeast)
    {
        if (nodeIndex is < 0 or > 63 || lookups <= 0)
        {
            return;
        }

        lock (_lock)
        {
            var count = _counts.GetValueOrDefault((node, nodeIndex));
            _counts[(node, nodeIndex)] = atLeast ? Math.Max(count, lookups) : count + lookups;
            _holders[node] = _holders.GetValueOrDefault(node) | (1UL << nodeIndex);
        }
    }
}
