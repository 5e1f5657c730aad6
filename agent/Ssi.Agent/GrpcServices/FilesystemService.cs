using System.Buffers;
using Google.Protobuf;
using Grpc.Core;
using Ssi.Agent.Contracts.V1;
using Ssi.Agent.Filesystem;
using Ssi.Agent.Filesystem.Coherency;
using Ssi.Agent.Filesystem.Fuse;

namespace Ssi.Agent.GrpcServices;

/// <summary>The Filesystem gRPC service: the home runs other nodes' FUSE requests and streams invalidations to them.</summary>
internal sealed class FilesystemService(FilesystemRole role, CoherencyHub hub) : Contracts.V1.Filesystem.FilesystemBase
{
    public override Task<ForwardResponse> Forward(ForwardRequest request, ServerCallContext context)
    {
        var dispatcher = role.Dispatcher
            ?? throw new RpcException(new Status(StatusCode.FailedPrecondition, "this node is not the home of the shared filesystem (or it is not mounted yet)"));
        if (request.NodeIndex > 63 || request.Request.Length < FuseProtocol.InHeaderSize)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "node_index must be 0-63 and request a FUSE message"));
        }

        // Dispatch blocks briefly (disk I/O, other nodes' acknowledgements) on this pool thread: the
        // agent keeps a large pool for that, and a hop to another thread would cost every request.
        var output = ArrayPool<byte>.Shared.Rent(FuseProtocol.BufferSize);
        try
        {
            var length = dispatcher.Handle(request.Request.Span, output, (int)request.NodeIndex, allowPassthrough: false);
            return Task.FromResult(new ForwardResponse { Reply = ByteString.CopyFrom(output, 0, length) });
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(output);
        }
    }

    public override Task Watch(IAsyncStreamReader<WatchAck> requestStream, IServerStreamWriter<Invalidation> responseStream, ServerCallContext context) =>
        hub.ServeAsync(requestStream, responseStream, context);
}
