using Google.Protobuf;
using Ssi.Agent.Filesystem.Fuse;

namespace Ssi.Agent.GrpcServices;

/// <summary>The late reply to a forwarded request (a SETLKW that waited): it completes the Forward call.</summary>
internal sealed class ForwardedLateReply : IFuseLateReply
{
    private readonly TaskCompletionSource<ByteString> _reply = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<ByteString> Reply => _reply.Task;

    public void Send(ReadOnlySpan<byte> reply) => _reply.TrySetResult(ByteString.CopyFrom(reply));
}
