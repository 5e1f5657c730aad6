using Grpc.Core;
using Microsoft.Extensions.Logging;
using Ssi.Agent.Contracts.V1;
using Ssi.Agent.Filesystem.Coherency;
using Ssi.Agent.Native.Fuse;

namespace Ssi.Agent.Filesystem.Remote;

/// <summary>A node's side of coherency: applies the home's invalidations to this kernel and acknowledges each.</summary>
internal static class InvalidationListener
{
    public static async Task RunAsync(Contracts.V1.Filesystem.FilesystemClient home, int nodeIndex, FuseDevice device, ILogger logger, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                using var call = home.Watch(cancellationToken: cancellationToken);
                await call.RequestStream.WriteAsync(new WatchAck { NodeIndex = (uint)nodeIndex }, cancellationToken).ConfigureAwait(false);
                await foreach (var invalidation in call.ResponseStream.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                {
                    var change = invalidation.KindCase == Invalidation.KindOneofCase.Entry
                        ? CacheInvalidation.Entry(invalidation.Entry.Parent, invalidation.Entry.Name.Span)
                        : CacheInvalidation.Inode(invalidation.Inode.NodeId, invalidation.Inode.Offset, invalidation.Inode.Length);
                    FuseNotifier.Push(device, change);
                    await call.RequestStream.WriteAsync(new WatchAck { Done = invalidation.Id }, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
            {
                FsLog.HomeUnreachable(logger, e.Status.Detail);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
        }
    }
}
