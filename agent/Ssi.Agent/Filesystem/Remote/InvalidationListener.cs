using Grpc.Core;
using Microsoft.Extensions.Logging;
using Ssi.Agent.Contracts.V1;
using Ssi.Agent.Filesystem.Coherency;
using Ssi.Agent.Native.Fuse;

namespace Ssi.Agent.Filesystem.Remote;

/// <summary>
/// A node's side of coherency: applies the home's invalidations to this kernel and acknowledges
/// each. When the stream to the home breaks, the kernel drops what it cached of every node id it
/// holds (nobody would tell it of changes now) and requests are refused until the home has
/// registered the node again.
/// </summary>
internal static class InvalidationListener
{
    /// <summary>Runs until cancelled, reconnecting as needed; <paramref name="link"/> is up while the home has this node registered.</summary>
    /// <param name="incarnation">This run of the node's mount: the home drops what an earlier run held when it sees another.</param>
    /// <param name="holdings">What the kernel holds, told to the home at every (re)connection.</param>
    public static async Task RunAsync(Contracts.V1.Filesystem.FilesystemClient home, int nodeIndex, ulong incarnation, NodeHoldings holdings, FuseDevice device, HomeLink link, ILogger logger, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                using var call = home.Watch(cancellationToken: cancellationToken);
                var reports = Reports(holdings).GetEnumerator();
                reports.MoveNext();
                var hello = reports.Current;
                hello.NodeIndex = (uint)nodeIndex;
                hello.Incarnation = incarnation;
                await call.RequestStream.WriteAsync(hello, cancellationToken).ConfigureAwait(false);
                await call.ResponseHeadersAsync.ConfigureAwait(false);
                while (reports.MoveNext())
                {
                    await call.RequestStream.WriteAsync(reports.Current, cancellationToken).ConfigureAwait(false);
                }

                link.Up();
                await foreach (var invalidation in call.ResponseStream.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                {
                    var change = invalidation.KindCase == Invalidation.KindOneofCase.Entry
                        ? CacheInvalidation.Entry(invalidation.Entry.Parent, invalidation.Entry.Name.Span)
                        : CacheInvalidation.Inode(invalidation.Inode.NodeId, invalidation.Inode.Offset, invalidation.Inode.Length);
                    FuseNotifier.Push(device, change);
                    await call.RequestStream.WriteAsync(new WatchAck { Done = invalidation.Id }, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is RpcException or IOException or InvalidOperationException or OperationCanceledException)
            {
                // Whatever broke the stream, keep trying: a node that does not watch would serve stale caches.
                FsLog.HomeUnreachable(logger, e is RpcException r ? r.Status.Detail : e.Message);
            }

            if (link.IsUp)
            {
                link.Down();
                foreach (var (node, _) in holdings.Snapshot().Held)
                {
                    FuseNotifier.Push(device, CacheInvalidation.Inode(node, 0));
                }
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>What the kernel holds, as messages small enough for one gRPC message each (at least one).</summary>
    private static IEnumerable<WatchAck> Reports(NodeHoldings holdings)
    {
        const int PerMessage = 50_000;
        var (held, open) = holdings.Snapshot();
        var i = 0;
        var j = 0;
        do
        {
            var message = new WatchAck();
            for (var n = 0; n < PerMessage && i < held.Count; n++, i++)
            {
                message.Held.Add(new HeldNode { NodeId = held[i].Node, Lookups = held[i].Lookups });
            }

            for (var n = 0; n < PerMessage && j < open.Count; n++, j++)
            {
                message.OpenFiles.Add(new OpenFile { NodeId = open[j].Node, Handle = open[j].Handle });
            }

            yield return message;
        }
        while (i < held.Count || j < open.Count);
    }
}
