using System.Collections.Concurrent;
using System.Threading.Channels;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Ssi.Agent.Contracts.V1;
using Ssi.Agent.Native.Fuse;

namespace Ssi.Agent.Filesystem.Coherency;

/// <summary>
/// The home's side of coherency: when a node changes something, every other node whose kernel may
/// cache it gets an invalidation, and the change is acknowledged to its author only once they have
/// applied it (or a short deadline passed for a node that does not answer). The home's own kernel
/// is invalidated directly.
/// </summary>
internal sealed class CoherencyHub(ILogger<CoherencyHub> logger, NodeLiveness liveness)
{
    public static readonly TimeSpan AckTimeout = TimeSpan.FromSeconds(2);

    private readonly ConcurrentDictionary<int, Watcher> _watchers = new();
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
                    waits.Add(watcher.Send(Interlocked.Increment(ref _nextId), change));
                }
            }
        }

        if (waits.Count > 0 && !Task.WaitAll([.. waits], AckTimeout))
        {
            FsLog.InvalidationTimedOut(logger, waits.Count(w => !w.IsCompleted));
        }
    }

    /// <summary>Serves one node's Watch stream until it ends.</summary>
    public async Task ServeAsync(IAsyncStreamReader<WatchAck> acks, IServerStreamWriter<Invalidation> output, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var cancellationToken = context.CancellationToken;
        ArgumentNullException.ThrowIfNull(acks);
        if (!await acks.MoveNext(cancellationToken).ConfigureAwait(false) || acks.Current.PayloadCase != WatchAck.PayloadOneofCase.NodeIndex)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "the first message of Watch must name the node"));
        }

        var index = (int)acks.Current.NodeIndex;
        var watcher = new Watcher();
        _watchers[index] = watcher;
        liveness.Joined(index, acks.Current.Incarnation);
        Holdings(index, acks.Current);
        FsLog.WatcherJoined(logger, index);
        // The headers tell the node it is registered: from now on it misses no invalidation.
        await context.WriteResponseHeadersAsync([]).ConfigureAwait(false);
        try
        {
            // Whatever it cached before may have changed while it was away.
            foreach (var node in Interest.HeldBy(index))
            {
                _ = watcher.Send(Interlocked.Increment(ref _nextId), CacheInvalidation.Inode(node, 0));
            }

            var writer = Task.Run(async () =>
            {
                await foreach (var message in watcher.Outgoing.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                {
                    await output.WriteAsync(message, cancellationToken).ConfigureAwait(false);
                }
            }, cancellationToken);
            while (await acks.MoveNext(cancellationToken).ConfigureAwait(false))
            {
                if (acks.Current.PayloadCase == WatchAck.PayloadOneofCase.Done)
                {
                    watcher.Acknowledge(acks.Current.Done);
                }
                else
                {
                    // The rest of what the node holds: it may have changed while the node was away too.
                    foreach (var node in Holdings(index, acks.Current))
                    {
                        _ = watcher.Send(Interlocked.Increment(ref _nextId), CacheInvalidation.Inode(node, 0));
                    }
                }
            }

            watcher.Close();
            await writer.ConfigureAwait(false);
        }
        finally
        {
            _watchers.TryRemove(new KeyValuePair<int, Watcher>(index, watcher));
            watcher.Close();
            liveness.Left(index);
            FsLog.WatcherLeft(logger, index);
        }
    }

    /// <summary>Takes what a node reports its kernel holds; returns the node ids reported.</summary>
    private IEnumerable<ulong> Holdings(int index, WatchAck message)
    {
        foreach (var held in message.Held)
        {
            Interest.Reported(held.NodeId, index, held.Lookups);
        }

        if (message.OpenFiles.Count > 0)
        {
            OpenFilesReported?.Invoke(index, [.. message.OpenFiles.Select(o => (o.NodeId, o.Handle))]);
        }

        return message.Held.Select(h => h.NodeId);
    }

    private sealed class Watcher
    {
        private readonly ConcurrentDictionary<ulong, TaskCompletionSource> _pending = new();
        private readonly Channel<Invalidation> _outgoing = Channel.CreateUnbounded<Invalidation>();

        public ChannelReader<Invalidation> Outgoing => _outgoing.Reader;

        public Task Send(long id, in CacheInvalidation change)
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _pending[(ulong)id] = done;
            var message = new Invalidation { Id = (ulong)id };
            if (change.Name is { } name)
            {
                message.Entry = new InvalidateEntry { Parent = change.NodeId, Name = Google.Protobuf.ByteString.CopyFrom(name) };
            }
            else
            {
                message.Inode = new InvalidateInode { NodeId = change.NodeId, Offset = change.Offset, Length = change.Length };
            }

            if (!_outgoing.Writer.TryWrite(message))
            {
                _pending.TryRemove((ulong)id, out _);
                done.TrySetResult();
            }

            return done.Task;
        }

        public void Acknowledge(ulong id)
        {
            if (_pending.TryRemove(id, out var done))
            {
                done.TrySetResult();
            }
        }

        public void Close()
        {
            _outgoing.Writer.TryComplete();
            foreach (var id in _pending.Keys)
            {
                Acknowledge(id);
            }
        }
    }
}
