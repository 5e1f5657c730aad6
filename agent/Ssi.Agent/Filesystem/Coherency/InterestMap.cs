namespace Ssi.Agent.Filesystem.Coherency;

/// <summary>Which nodes' kernels may cache each node id (a bit per node index), as seen from the requests they sent.</summary>
internal sealed class InterestMap
{
    private readonly Lock _lock = new();
    private readonly Dictionary<ulong, ulong> _holders = [];

    public void Note(ulong node, int nodeIndex)
    {
        if (nodeIndex is < 0 or > 63)
        {
            return;
        }

        lock (_lock)
        {
            _holders[node] = _holders.GetValueOrDefault(node) | (1UL << nodeIndex);
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
}
