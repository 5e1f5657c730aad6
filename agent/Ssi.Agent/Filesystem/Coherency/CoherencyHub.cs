using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Ssi.Agent.Native.Fuse;

namespace Ssi.Agent.Filesystem.Coherency;

/// <summary>
/// The home's side of coherency: when a node changes something, every other node whose kernel may
/// cache it gets an invalidation, and the change is acknowledged to its author only once they have
/// applied it (or a short deadline passed for a node that does not answer). The home's own kernel
/// is invalidated directly; the other nodes through their links (<see cref="Join"/>).
/// </summary>
internal sealed class CoherencyHub(ILogger<CoherencyHub> logger, NodeLiveness liveness)
{
    public static readonly TimeSpan AckTimeout = TimeSpan.FromSeconds(2);

    private readonly ConcurrentDictionary<int, InvalidationWatcher> _watchers = new();
    private long _nextId;
    private FuseDevice? _homeDevice;

    public InterestMap Interest { get; } = new();

    /// <summary>A node told which files its kernel has open (when it connected): the home tracks them as that node's opens.</summary>
    public event Action<int, IReadOnlyList<(ulong Node, ulong Handle)>>? OpenFilesReported;

    public int HomeIndex { get; private set; }

    public void AttachHome(int homeIndex, FuseDevice? device)
    {
        HomeIndex = homeIndex;
        _homeDevice = device;
    }

    /// <summary>Whether any node other than <paramref name="origin"/> may cache what <paramref name="changes"/> touch (<see cref="Publish"/> has something to deliver).</summary>
    public bool HeldElsewhere(int origin, IReadOnlyList<CacheInvalidation> changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        foreach (var change in changes)
        {
            if ((Interest.Holders(change.NodeId) & ~(1UL << origin)) != 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Delivers <paramref name="changes"/> made by node <paramref name="origin"/> to every other holder, waiting for their acknowledgements.</summary>
    public void Publish(int origin, IReadOnlyList<CacheInvalidation> changes)
    {
        var waits = new List<Task>();
        foreach (var change in changes)
        {
            var holders = Interest.Holders(change.NodeId) & ~(1UL << origin);
            if (holders == 0)
            {
                continue;
            }

            if ((holders & (1UL << HomeIndex)) != 0 && _homeDevice is { } device)
            {
                FuseNotifier.Push(device, change);
            }

            foreach (var (index, watcher) in _watchers)
            {
                if (index != origin && index != HomeIndex && (holders & (1UL << index)) != 0)
                {
                    waits.Add(watcher.Send(NextId(), change));
                }
            }
        }

        if (waits.Count > 0 && !Task.WaitAll([.. waits], AckTimeout))
        {
            FsLog.InvalidationTimedOut(logger, waits.Count(w => !w.IsCompleted));
        }
    }

    /// <summary>
    /// Registers node <paramref name="index"/> (run <paramref name="incarnation"/> of its mount): from now
    /// on its invalidations go to <paramref name="send"/> (which writes them to the node's link and may
    /// throw when the link is gone). Whatever the node cached before may have changed while it was
    /// away: all of it is invalidated first.
    /// </summary>
    public InvalidationWatcher Join(int index, ulong incarnation, Action<ulong, CacheInvalidation> send)
    {
        var watcher = new InvalidationWatcher(send);
        if (_watchers.TryGetValue(index, out var previous))
        {
            Leave(index, previous);
        }

        _watchers[index] = watcher;
        liveness.Joined(index, incarnation);
        FsLog.WatcherJoined(logger, index);
        foreach (var node in Interest.HeldBy(index))
        {
            _ = watcher.Send(NextId(), CacheInvalidation.Inode(node, 0));
        }

        return watcher;
    }

    /// <summary>
    /// What node <paramref name="index"/> reports its kernel holds (when it connects; after a restart of
    /// the home this is how the home learns it again): it may have changed while the node was away, so
    /// each reported node id is invalidated too.
    /// </summary>
    public void Reported(int index, InvalidationWatcher watcher, IReadOnlyList<(ulong Node, long Lookups)> held, IReadOnlyList<(ulong Node, ulong Handle)> open)
    {
        ArgumentNullException.ThrowIfNull(watcher);
        ArgumentNullException.ThrowIfNull(held);
        ArgumentNullException.ThrowIfNull(open);
        foreach (var (node, lookups) in held)
        {
            Interest.Reported(node, index, lookups);
            _ = watcher.Send(NextId(), CacheInvalidation.Inode(node, 0));
        }

        if (open.Count > 0)
        {
            OpenFilesReported?.Invoke(index, open);
        }
    }

    /// <summary>The link of node <paramref name="index"/> ended: nobody waits for its acknowledgements any more.</summary>
    public void Leave(int index, InvalidationWatcher watcher)
    {
        ArgumentNullException.ThrowIfNull(watcher);
        if (_watchers.TryRemove(new KeyValuePair<int, InvalidationWatcher>(index, watcher)))
        {
            liveness.Left(index);
            FsLog.WatcherLeft(logger, index);
        }

        watcher.Close();
    }

    private ulong NextId() => (ulong)Interlocked.Increment(ref _nextId);
}
