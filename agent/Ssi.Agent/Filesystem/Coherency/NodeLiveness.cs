namespace Ssi.Agent.Filesystem.Coherency;

/// <summary>
/// Tells when another node is gone for good, so that what it held at the home (locks) does not
/// outlive it: when its Watch stream has been lost for longer than a grace period (a short link
/// failure keeps everything), or at once when it comes back as a new run of its mount (its agent
/// restarted: the old mount's open files and locks are gone with it).
/// </summary>
internal sealed class NodeLiveness(TimeProvider time, TimeSpan grace)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<int, NodeState> _nodes = [];

    /// <summary>
    /// Raised (outside any lock, on a timer thread or the joining stream's) with the index of a node
    /// that is gone, and whether it is known to have restarted (then nothing of its previous run
    /// survives; after a long disconnection its kernel may still hold open files).
    /// </summary>
    public event Action<int, bool>? Gone;

    public TimeSpan Grace { get; } = grace;

    /// <summary>A Watch stream of node <paramref name="index"/> opened, for run <paramref name="incarnation"/> of its mount (0: unknown).</summary>
    public void Joined(int index, ulong incarnation)
    {
        var restarted = false;
        lock (_gate)
        {
            if (!_nodes.TryGetValue(index, out var node))
            {
                node = _nodes[index] = new NodeState();
            }

            node.Timer?.Dispose();
            node.Timer = null;
            restarted = incarnation != 0 && node.Incarnation != 0 && node.Incarnation != incarnation;
            node.Incarnation = incarnation == 0 ? node.Incarnation : incarnation;
            node.Streams++;
        }

        if (restarted)
        {
            Gone?.Invoke(index, true);
        }
    }

    /// <summary>A Watch stream of node <paramref name="index"/> ended: unless another one opens within the grace period, the node is gone.</summary>
    public void Left(int index)
    {
        lock (_gate)
        {
            if (!_nodes.TryGetValue(index, out var node) || --node.Streams > 0)
            {
                return;
            }

            node.Timer?.Dispose();
            var departure = ++node.Departures;
            node.Timer = time.CreateTimer(_ => Expire(index, node, departure), null, Grace, Timeout.InfiniteTimeSpan);
        }
    }

    private void Expire(int index, NodeState node, long departure)
    {
        lock (_gate)
        {
            if (node.Streams > 0 || node.Timer is null || node.Departures != departure)
            {
                return;
            }

            node.Timer.Dispose();
            node.Timer = null;
        }

        Gone?.Invoke(index, false);
    }

    private sealed class NodeState
    {
        public ulong Incarnation { get; set; }

        public int Streams { get; set; }

        public long Departures { get; set; }

        public ITimer? Timer { get; set; }
    }
}
