using System.Collections.Concurrent;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Ssi.Agent.Contracts.V1;
using Ssi.Agent.Filesystem;
using Ssi.Agent.Native.Devices;

namespace Ssi.Agent.Devices;

/// <summary>
/// The owning node's side of one peer's session: runs the peer's calls on the real devices. Every
/// descriptor is non-blocking; a call that would block waits on the poller (no thread is held) and
/// can be cancelled. When the session ends every handle it opened is closed.
/// </summary>
internal sealed class DeviceSession(
    string peer,
    DeviceExportTable exports,
    DevicePoller poller,
    DeviceRegistry registry,
    Action<DeviceEvent> send,
    ILogger logger) : IDisposable
{
    /// <summary>The most one read returns (a short read for larger requests, as devices do).</summary>
    public const int MaxRead = 1024 * 1024;

    private readonly ConcurrentDictionary<ulong, OpenDevice> _handles = new();
    private readonly ConcurrentDictionary<ulong, CancellationTokenSource> _blocked = new();
    private readonly CancellationTokenSource _ended = new();

    public string Peer => peer;

    /// <summary>Runs one call; the reply is returned when ready at once, else sent when the call completes.</summary>
    public DeviceEvent? Run(DeviceCall call)
    {
        switch (call.OpCase)
        {
            case DeviceCall.OpOneofCase.Open:
                return Open(call.Id, call.Open);
            case DeviceCall.OpOneofCase.Release:
                return Release(call.Id, call.Release.Handle);
            case DeviceCall.OpOneofCase.Ioctl:
                return Ioctl(call.Id, call.Ioctl);
            case DeviceCall.OpOneofCase.Poll:
                return Poll(call.Id, call.Poll);
            case DeviceCall.OpOneofCase.Cancel:
                if (_blocked.TryGetValue(call.Cancel, out var cts))
                {
                    cts.Cancel();
                }

                return null;
            case DeviceCall.OpOneofCase.Read:
            case DeviceCall.OpOneofCase.Write:
                var task = call.OpCase == DeviceCall.OpOneofCase.Read ? ReadAsync(call.Id, call.Read) : WriteAsync(call.Id, call.Write);
                if (task.IsCompletedSuccessfully)
                {
                    return task.Result;
                }

                _ = SendWhenDone(task);
                return null;
            default:
                return Error(call.Id, Errno.EINVAL);
        }
    }

    public void Dispose()
    {
        _ended.Cancel();
        var count = 0;
        foreach (var handle in _handles.Keys.ToList())
        {
            if (_handles.TryRemove(handle, out var device))
            {
                Close(device);
                count++;
            }
        }

        DeviceLog.SessionEnded(logger, peer, count);
    }

    private static DeviceEvent Error(ulong id, int errno) => new() { Id = id, Errno = errno };

    private static DeviceEvent Result(ulong id, long result) => result < 0 ? Error(id, (int)-result) : new DeviceEvent { Id = id, Result = result };

    private async Task SendWhenDone(Task<DeviceEvent> task)
    {
        DeviceEvent reply;
        try
        {
            reply = await task.ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            DeviceLog.RequestFailed(logger, e);
            return;
        }

        send(reply);
    }

    private DeviceEvent Open(ulong id, OpenCall open)
    {
        if (exports.Find(open.Name) is not { } export)
        {
            DeviceLog.Refused(logger, peer, open.Name);
            return Error(id, Errno.ENOENT);
        }

        var fd = DeviceCalls.Open(export.Path, open.Flags);
        if (fd < 0)
        {
            return Error(id, -fd);
        }

        // The path may have been replaced between the lookup and the open: check what was opened.
        if (Native.Fuse.Posix.Stat(fd, out var stat) != 0 || (stat.Mode & 0xF000) != 0x2000 || stat.RdevMajor != export.Major || stat.RdevMinor != export.Minor)
        {
            _ = DeviceCalls.Close(fd);
            return Error(id, Errno.ENODEV);
        }

        var device = new OpenDevice(registry.NextHandle(), fd, export, peer, open.Pid, open.Command);
        _handles[device.Handle] = device;
        registry.Add(device);
        DeviceLog.Opened(logger, peer, export.Name, export.Path, open.Pid, open.Command);
        return new DeviceEvent { Id = id, Result = (long)device.Handle, Seekable = DeviceCalls.IsSeekable(fd) };
    }

    private DeviceEvent Release(ulong id, ulong handle)
    {
        if (!_handles.TryRemove(handle, out var device))
        {
            return Error(id, Errno.EBADF);
        }

        Close(device);
        return new DeviceEvent { Id = id };
    }

    private void Close(OpenDevice device)
    {
        CancelQuietly(device.PollWatch);
        registry.Remove(device.Handle);
        _ = DeviceCalls.Close(device.Fd);
    }

    private async Task<DeviceEvent> ReadAsync(ulong id, ReadCall read)
    {
        if (!_handles.TryGetValue(read.Handle, out var device))
        {
            return Error(id, Errno.EBADF);
        }

        var size = (int)Math.Min(read.Size, MaxRead);
        while (true)
        {
            // Read into the array the reply will carry (no pooled buffer and copy): large reads are
            // the bulk path, and a second pass over a MiB costs more than the allocation.
            var buffer = GC.AllocateUninitializedArray<byte>(size);
            var n = DeviceCalls.Read(device.Fd, buffer);
            if (n >= 0)
            {
                var data = n == size ? UnsafeByteOperations.UnsafeWrap(buffer) : ByteString.CopyFrom(buffer, 0, (int)n);
                return new DeviceEvent { Id = id, Result = n, Data = data };
            }

            if (n != -Errno.EAGAIN || read.Nonblocking)
            {
                return Error(id, (int)-n);
            }

            if (await WaitAsync(id, device, DevicePoller.EPOLLIN).ConfigureAwait(false) is { } interrupted)
            {
                return Error(id, interrupted);
            }
        }
    }

    private async Task<DeviceEvent> WriteAsync(ulong id, WriteCall write)
    {
        if (!_handles.TryGetValue(write.Handle, out var device))
        {
            return Error(id, Errno.EBADF);
        }

        while (true)
        {
            var n = DeviceCalls.Write(device.Fd, write.Data.Span);
            if (n >= 0 || n != -Errno.EAGAIN || write.Nonblocking)
            {
                return Result(id, n);
            }

            if (await WaitAsync(id, device, DevicePoller.EPOLLOUT).ConfigureAwait(false) is { } interrupted)
            {
                return Error(id, interrupted);
            }
        }
    }

    /// <summary>Waits until the device is ready; null, or the errno that ends the call (EINTR when cancelled).</summary>
    private async Task<int?> WaitAsync(ulong id, OpenDevice device, uint events)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(_ended.Token);
        _blocked[id] = cts;
        try
        {
            var rc = await poller.WaitAsync(device.Fd, events, cts.Token).ConfigureAwait(false);
            return rc < 0 ? -rc : null;
        }
        catch (OperationCanceledException)
        {
            return Errno.EINTR;
        }
        finally
        {
            _blocked.TryRemove(id, out _);
        }
    }

    private DeviceEvent Ioctl(ulong id, IoctlCall call)
    {
        if (!_handles.TryGetValue(call.Handle, out var device))
        {
            return Error(id, Errno.EBADF);
        }

        var layout = IoctlTable.Describe(call.Command);
        if (layout.Argument == IoctlArgument.Unknown)
        {
            DeviceLog.UnknownIoctl(logger, call.Command, device.Export.Name);
            return Error(id, Errno.ENOTTY);
        }

        if (layout.Argument == IoctlArgument.Value)
        {
            return Result(id, DeviceCalls.IoctlValue(device.Fd, call.Command, (nint)call.Value));
        }

        if (call.Input.Length > layout.Size)
        {
            return Error(id, Errno.EINVAL);
        }

        // Room beyond the declared size: a driver that copies more than its number says must not
        // reach past the buffer into the agent's memory.
        var buffer = new byte[Math.Max(layout.Size, 4096)];
        call.Input.Span.CopyTo(buffer);
        var rc = DeviceCalls.Ioctl(device.Fd, call.Command, buffer);
        if (rc < 0)
        {
            return Error(id, -rc);
        }

        return new DeviceEvent { Id = id, Result = rc, Data = layout.WritesMemory ? ByteString.CopyFrom(buffer, 0, layout.Size) : ByteString.Empty };
    }

    private DeviceEvent Poll(ulong id, PollCall call)
    {
        if (!_handles.TryGetValue(call.Handle, out var device))
        {
            return Error(id, Errno.EBADF);
        }

        var revents = DeviceCalls.Poll(device.Fd, (short)call.Events, 0);
        if (revents < 0)
        {
            return Error(id, -revents);
        }

        if (call.Notify && (revents & call.Events) == 0)
        {
            var watch = CancellationTokenSource.CreateLinkedTokenSource(_ended.Token);
            CancelQuietly(Interlocked.Exchange(ref device.PollWatchField, watch));
            _ = NotifyWhenReadyAsync(device, call.Events, call.KernelHandle, watch);
        }

        return new DeviceEvent { Id = id, Result = revents };
    }

    private static void CancelQuietly(CancellationTokenSource? source)
    {
        try
        {
            source?.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // it had finished
        }
    }

    private async Task NotifyWhenReadyAsync(OpenDevice device, uint events, ulong kernelHandle, CancellationTokenSource watch)
    {
        try
        {
            var rc = await poller.WaitAsync(device.Fd, events, watch.Token).ConfigureAwait(false);
            if (rc >= 0)
            {
                send(new DeviceEvent { Ready = kernelHandle });
            }
        }
        catch (OperationCanceledException)
        {
            // replaced by a newer poll, or the handle was closed
        }
        finally
        {
            Interlocked.CompareExchange(ref device.PollWatchField, null, watch);
            watch.Dispose();
        }
    }
}
