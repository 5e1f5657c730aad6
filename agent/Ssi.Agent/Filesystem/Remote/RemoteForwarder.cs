using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Ssi.Agent.Contracts.V1;
using Ssi.Agent.Filesystem.Fuse;

namespace Ssi.Agent.Filesystem.Remote;

/// <summary>
/// A node that is not the home: every request of its kernel goes to the home as it is, and the
/// home's reply goes back to the kernel. When the home cannot be reached the request fails at once
/// (ENOTCONN) or after the forward timeout (EIO): a process never hangs on a lost home.
/// </summary>
internal sealed class RemoteForwarder(Contracts.V1.Filesystem.FilesystemClient home, int nodeIndex, TimeSpan timeout, ILogger logger) : IFuseRequestHandler
{
    private const int ENOTCONN = 107;
    private const int EIO = 5;
    private long _lastWarning;

    public int Handle(ReadOnlySpan<byte> request, Span<byte> output)
    {
        var message = new ForwardRequest { NodeIndex = (uint)nodeIndex, Request = ByteString.CopyFrom(request) };
        var opcode = (FuseOpcode)BitConverter.ToUInt32(request[4..]);
        if (opcode is FuseOpcode.Forget or FuseOpcode.BatchForget)
        {
            _ = ForgetAsync(message); // no reply; the home's counts drift only if it is unreachable
            return 0;
        }

        try
        {
            var reply = home.Forward(message, deadline: DateTime.UtcNow + timeout);
            reply.Reply.Span.CopyTo(output);
            return reply.Reply.Length;
        }
        catch (RpcException e)
        {
            Warn(e);
            var unique = BitConverter.ToUInt64(request[8..]);
            return FuseReply.Error(output, unique, e.StatusCode == StatusCode.Unavailable ? ENOTCONN : EIO).Length;
        }
    }

    private async Task ForgetAsync(ForwardRequest message)
    {
        try
        {
            await home.ForwardAsync(message, deadline: DateTime.UtcNow + timeout).ConfigureAwait(false);
        }
        catch (RpcException e)
        {
            Warn(e);
        }
    }

    private void Warn(RpcException e)
    {
        var now = Environment.TickCount64;
        if (now - Interlocked.Read(ref _lastWarning) > 5000)
        {
            Interlocked.Exchange(ref _lastWarning, now);
            FsLog.HomeUnreachable(logger, e.Status.Detail);
        }
    }
}
