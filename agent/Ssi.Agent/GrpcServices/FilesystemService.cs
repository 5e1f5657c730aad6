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
    public override async Task<ForwardResponse> Forward(ForwardRequest request, ServerCallContext context)
    {
        var dispatcher = role.Dispatcher
            ?? throw new RpcException(new Status(StatusCode.FailedPrecondition, "this node is not the home of the shared filesystem (or it is not mounted yet)"));
        if (request.NodeIndex > 63 || request.Request.Length < FuseProtocol.InHeaderSize)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "node_index must be 0-63 and request a FUSE message"));
        }

        // Dispatch blocks (disk I/O, waiting for other nodes' acknowledgements): off the request thread.
        var reply = await Task.Run(() =>
        {
            var output = new byte[FuseProtocol.BufferSize];
            var length = dispatcher.Handle(request.Request.Span, output, (int)request.NodeIndex, allowPassthrough: false);
            return ByteString.CopyFrom(output, 0, length);
        }, context.CancellationToken).ConfigureAwait(false);
        return new ForwardResponse { Reply = reply };
    }

    public override Task Watch(IAsyncStreamReader<WatchAck> requestStream, IServerStreamWriter<Invalidation> responseStream, ServerCallContext context) =>
        hub.ServeAsync(requestStream, responseStream, context);
}
