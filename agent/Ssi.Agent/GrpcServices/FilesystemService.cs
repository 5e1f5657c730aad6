using System.Buffers;
using System.Buffers.Binary;
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
        ArgumentNullException.ThrowIfNull(context);
        var dispatcher = role.Dispatcher
            ?? throw new RpcException(new Status(StatusCode.FailedPrecondition, "this node is not the home of the shared filesystem (or it is not mounted yet)"));
        if (request.NodeIndex > 63 || request.Request.Length < FuseProtocol.InHeaderSize)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "node_index must be 0-63 and request a FUSE message"));
        }

        // Dispatch blocks briefly (disk I/O, other nodes' acknowledgements) on this pool thread: the
        // agent keeps a large pool for that, and a hop to another thread would cost every request.
        var origin = (int)request.NodeIndex;
        var late = (FuseOpcode)BinaryPrimitives.ReadUInt32LittleEndian(request.Request.Span[4..]) == FuseOpcode.SetLkW ? new ForwardedLateReply() : null;
        var output = ArrayPool<byte>.Shared.Rent(FuseProtocol.BufferSize);
        try
        {
            var length = dispatcher.Handle(request.Request.Span, output, origin, allowPassthrough: false, late);
            if (length != FuseReply.Later)
            {
                return new ForwardResponse { Reply = ByteString.CopyFrom(output, 0, length) };
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(output);
        }

        // A lock request that waits: no thread is held until it is granted or interrupted. If the
        // node gives up the call (its link broke), the wait ends as if interrupted.
        var unique = BinaryPrimitives.ReadUInt64LittleEndian(request.Request.Span[8..]);
        await using var giveUp = context.CancellationToken.Register(() => dispatcher.Interrupt(origin, unique));
        return new ForwardResponse { Reply = await late!.Reply.ConfigureAwait(false) };
    }

    public override Task Watch(IAsyncStreamReader<WatchAck> requestStream, IServerStreamWriter<Invalidation> responseStream, ServerCallContext context) =>
        hub.ServeAsync(requestStream, responseStream, context);
}
