using System.Buffers.Binary;
using System.Collections.Concurrent;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Ssi.Agent.Contracts.V1;
using Ssi.Agent.Filesystem.Fuse;
using Ssi.Agent.Native.Fuse;

namespace Ssi.Agent.Filesystem.Remote;

/// <summary>
/// A node that is not the home: every request of its kernel goes to the home as it is, and the
/// home's reply goes back to the kernel. When the home cannot be reached the request fails at once
/// (ENOTCONN) or after the forward timeout (EIO): a process never hangs on a lost home. A SETLKW
/// may wait at the home for as long as the lock is held: it is answered <see cref="FuseReply.Later"/>
/// and its reply written to the kernel when it comes, so no request thread waits with it, and an
/// interrupt of it is forwarded to the home, which ends the wait.
/// </summary>
internal sealed class RemoteForwarder(Contracts.V1.Filesystem.FilesystemClient home, int nodeIndex, TimeSpan timeout, NodeHoldings holdings, HomeLink link, ILogger logger) : IFuseRequestHandler, IFuseInterruptHandler
{
    private static readonly TimeSpan InterruptRetry = TimeSpan.FromMilliseconds(20);
    private readonly ConcurrentDictionary<ulong, bool> _waiting = new();
    private FuseDevice? _device;
    private long _lastWarning;

    /// <summary>The mount's /dev/fuse, before its session starts: late replies go there.</summary>
    public void Attach(FuseDevice device) => _device = device;

    public int Handle(ReadOnlySpan<byte> request, Span<byte> output)
    {
        var message = new ForwardRequest { NodeIndex = (uint)nodeIndex, Request = ByteString.CopyFrom(request) };
        var opcode = (FuseOpcode)BinaryPrimitives.ReadUInt32LittleEndian(request[4..]);
        var unique = BinaryPrimitives.ReadUInt64LittleEndian(request[8..]);
        switch (opcode)
        {
            case FuseOpcode.Forget or FuseOpcode.BatchForget:
                holdings.Observe(request, []);
                _ = ForgetAsync(message); // no reply; the home's counts drift only if it is unreachable
                return 0;
            case not (FuseOpcode.Release or FuseOpcode.ReleaseDir or FuseOpcode.Flush) when !link.IsUp:
                // Not registered for invalidations: nothing may be cached anew (closes still go through).
                return FuseReply.Error(output, unique, Errno.ENOTCONN).Length;
            case FuseOpcode.SetLkW when _device is { } device:
                _waiting[unique] = true;
                _ = WaitAsync(message, unique, device);
                return FuseReply.Later;
        }

        try
        {
            var reply = home.Forward(message, deadline: DateTime.UtcNow + timeout);
            reply.Reply.Span.CopyTo(output);
            holdings.Observe(request, reply.Reply.Span);
            return reply.Reply.Length;
        }
        catch (RpcException e)
        {
            Warn(e);
            return FuseReply.Error(output, unique, Failure(e)).Length;
        }
    }

    /// <summary>The kernel interrupted <paramref name="unique"/>: if it is a lock wait, the home is told to end it.</summary>
    public bool Interrupt(ulong unique)
    {
        if (!_waiting.ContainsKey(unique))
        {
            return false;
        }

        _ = InterruptAsync(unique);
        return true;
    }

    private static int Failure(RpcException e) => e.StatusCode == StatusCode.Unavailable ? Errno.ENOTCONN : Errno.EIO;

    /// <summary>A SETLKW: no deadline (a lock may be held for hours); the reply goes to the kernel when it comes.</summary>
    private async Task WaitAsync(ForwardRequest message, ulong unique, FuseDevice device)
    {
        byte[] reply;
        try
        {
            reply = (await home.ForwardAsync(message).ConfigureAwait(false)).Reply.ToByteArray();
        }
        catch (RpcException e)
        {
            Warn(e);
            reply = new byte[FuseProtocol.OutHeaderSize];
            FuseReply.Error(reply, unique, Failure(e));
        }
        finally
        {
            _waiting.TryRemove(unique, out _);
        }

        _ = device.Write(reply);
    }

    /// <summary>Sends FUSE_INTERRUPT for <paramref name="unique"/> to the home until it ends the wait (it answers EAGAIN while the SETLKW has not reached it).</summary>
    private async Task InterruptAsync(ulong unique)
    {
        var interrupt = new byte[FuseProtocol.InHeaderSize + 8];
        BinaryPrimitives.WriteUInt32LittleEndian(interrupt, (uint)interrupt.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(interrupt.AsSpan(4), (uint)FuseOpcode.Interrupt);
        BinaryPrimitives.WriteUInt64LittleEndian(interrupt.AsSpan(8), unique | FuseProtocol.InterruptBit);
        BinaryPrimitives.WriteUInt64LittleEndian(interrupt.AsSpan(FuseProtocol.InHeaderSize), unique);
        var message = new ForwardRequest { NodeIndex = (uint)nodeIndex, Request = ByteString.CopyFrom(interrupt) };
        while (_waiting.ContainsKey(unique))
        {
            try
            {
                var reply = await home.ForwardAsync(message, deadline: DateTime.UtcNow + timeout).ConfigureAwait(false);
                if (reply.Reply.Length < FuseProtocol.OutHeaderSize || BinaryPrimitives.ReadInt32LittleEndian(reply.Reply.Span[4..]) != -Errno.EAGAIN)
                {
                    return;
                }
            }
            catch (RpcException e)
            {
                Warn(e);
                return;
            }

            await Task.Delay(InterruptRetry).ConfigureAwait(false);
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
