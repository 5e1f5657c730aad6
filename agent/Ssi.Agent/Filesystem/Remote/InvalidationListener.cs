using Grpc.Core;
using Microsoft.Extensions.Logging;
using Ssi.Agent.Contracts.V1;
using Ssi.Agent.Filesystem.Coherency;
using Ssi.Agent.Native.Fuse;

namespace Ssi.Agent.Filesystem.Remote;

/// <summary>A node's side of coherency: applies the home's invalidations to this kernel and acknowledges each.</summary>
internal static class InvalidationListener
{
    /// <summary>Runs until cancelled, reconnecting as needed; <paramref name="connected"/> completes once the home has registered this node.</summary>
    /// <param name="incarnation">This run of the node's mount: the home drops what an earlier run held when it sees another.</param>
    public static async Task RunAsync(Contracts.V1.Filesystem.FilesystemClient home, int nodeIndex, ulong incarnation, FuseDevice device, TaskCompletionSource connected, ILogger logger, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                using var call = home.Watch(cancellationToken: cancellationToken);
                await call.RequestStream.WriteAsync(new WatchAck { NodeIndex = (uint)nodeIndex, Incarnation = incarnation }, cancellationToken).ConfigureAwait(false);
                await call.ResponseHeadersAsync.ConfigureAwait(false);
                connected.TrySetResult();
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

            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
        }
    }
}
