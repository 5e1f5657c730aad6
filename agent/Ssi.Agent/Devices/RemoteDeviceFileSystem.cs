using System.Buffers;
using System.Collections.Concurrent;
using System.Text;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Ssi.Agent.Contracts.V1;
using Ssi.Agent.Filesystem;
using Ssi.Agent.Filesystem.Coherency;
using Ssi.Agent.Filesystem.Fuse;
using Ssi.Agent.Native.Devices;
using Ssi.Agent.Native.Fuse;

namespace Ssi.Agent.Devices;

/// <summary>
/// The FUSE filesystem at /run/ssi/dev: a directory per peer node holding that node's exported
/// devices as files (regular files to the kernel, direct I/O, not seekable). open, read, write,
/// ioctl, poll and release of such a file are shipped to the owning node over its session; their
/// replies go back to the kernel when they arrive, so a blocked read holds no request thread.
/// </summary>
internal sealed class RemoteDeviceFileSystem : IFuseRequestHandler, IFuseInterruptHandler
{
    private const ulong FirstDeviceNode = 1 << 20;
    private const uint S_IFDIR = 0x4000;
    private const uint S_IFREG = 0x8000;
    private const int DirentHeader = 24;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);

    private volatile PeerDevices[] _peers = [];
    private readonly ILogger _logger;
    private readonly long _started = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
    private readonly ConcurrentDictionary<(int Peer, string Name), ulong> _nodeIds = new();
    private readonly ConcurrentDictionary<ulong, (int Peer, string Name)> _names = new();
    private readonly ConcurrentDictionary<ulong, RemoteHandle> _handles = new();
    private readonly ConcurrentDictionary<ulong, (PeerDevices Peer, ulong Call)> _inFlight = new();
    private long _nextNode = (long)FirstDeviceNode;
    private long _nextHandle;
    private FuseDevice? _device;

    public RemoteDeviceFileSystem(IEnumerable<PeerDevices> peers, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(peers);
        _logger = logger;
        foreach (var peer in peers)
        {
            Add(peer);
        }
    }

    /// <summary>The peers, by position: a peer's directory is node 2 + its position, for as long as the mount lives.</summary>
    public IReadOnlyList<PeerDevices> Peers => _peers;

    /// <summary>A node that joined the cluster: its directory appears at the next lookup or listing.</summary>
    public void Add(PeerDevices peer)
    {
        ArgumentNullException.ThrowIfNull(peer);
        peer.Ready += Wake;
        lock (_handles)
        {
            _peers = [.. _peers, peer];
        }
    }

    /// <summary>The mount's /dev/fuse, for replies that come after Handle returned and for poll wake-ups.</summary>
    public void Attach(FuseDevice device) => _device = device;

    public int Handle(ReadOnlySpan<byte> message, Span<byte> output)
    {
        var request = new FuseRequest(message);
        var reply = new FuseReply(output);
        var node = request.NodeId;
        switch (request.Opcode)
        {
            case FuseOpcode.Forget or FuseOpcode.BatchForget:
                return 0;
            case FuseOpcode.Lookup:
                return Lookup(node, Encoding.UTF8.GetString(request.Name()), ref reply, request.Unique, output);
            case FuseOpcode.GetAttr or FuseOpcode.SetAttr:
                if (Attributes(node) is not { } attributes)
                {
                    return FuseReply.Error(output, request.Unique, Errno.ENOENT).Length;
                }

                reply.U64((ulong)Timeout.TotalSeconds);
                reply.U32(0);
                reply.U32(0);
                reply.Attr(attributes);
                return reply.Finish(request.Unique).Length;
            case FuseOpcode.OpenDir:
                reply.OpenOut(0, FuseProtocol.FopenCacheDir);
                return reply.Finish(request.Unique).Length;
            case FuseOpcode.ReadDir or FuseOpcode.ReadDirPlus:
                ReadDir(ref request, ref reply);
                return reply.Finish(request.Unique).Length;
            case FuseOpcode.ReleaseDir or FuseOpcode.Flush or FuseOpcode.Fsync or FuseOpcode.FsyncDir:
                return reply.Finish(request.Unique).Length;
            case FuseOpcode.StatFs:
                reply.Zeros(40);
                reply.U32(4096);  // bsize
                reply.U32(255);   // namelen
                reply.U32(4096);  // frsize
                reply.Zeros(28);
                return reply.Finish(request.Unique).Length;
            case FuseOpcode.Open:
                return Open(ref request, output);
            case FuseOpcode.Read:
                return Read(ref request, output);
            case FuseOpcode.Write:
                return Write(ref request, output);
            case FuseOpcode.Ioctl:
                return Ioctl(ref request, output);
            case FuseOpcode.Poll:
                return Poll(ref request, output);
            case FuseOpcode.Release:
                return Release(ref request, output);
            case FuseOpcode.Lseek:
                return FuseReply.Error(output, request.Unique, Errno.ESPIPE).Length;
            case FuseOpcode.Create or FuseOpcode.Mknod or FuseOpcode.Mkdir or FuseOpcode.Unlink or FuseOpcode.Rmdir
                or FuseOpcode.Rename or FuseOpcode.Rename2 or FuseOpcode.Symlink or FuseOpcode.Link:
                return FuseReply.Error(output, request.Unique, Errno.EPERM).Length;
            default:
                return FuseReply.Error(output, request.Unique, Errno.ENOSYS).Length;
        }
    }

    public bool Interrupt(ulong unique)
    {
        if (!_inFlight.TryGetValue(unique, out var call))
        {
            return false;
        }

        call.Peer.Cancel(call.Call);
        return true;
    }

    private static bool IsDevice(ulong node) => node >= FirstDeviceNode;

    private NodeAttributes Directory(ulong node) =>
        new(node, 0, 0, _started, 0, _started, 0, _started, 0, S_IFDIR | 0x16D /* 0555 */, 2, 0, 0, 0, 4096);

    private NodeAttributes? Attributes(ulong node)
    {
        var peers = _peers;
        if (node == FuseProtocol.RootId || (node >= 2 && node < 2 + (ulong)peers.Length && peers[node - 2].Present))
        {
            return Directory(node);
        }

        if (!_names.TryGetValue(node, out var name))
        {
            return null;
        }

        // A device its node no longer exports is gone (the last known list stands while the node is unreachable).
        if (peers[name.Peer].Devices().FirstOrDefault(d => d.Name == name.Name) is not { } device)
        {
            return null;
        }

        return new NodeAttributes(node, 0, 0, _started, 0, _started, 0, _started, 0, S_IFREG | (device.Mode & 0xFFF), 1, device.Uid, device.Gid, 0, 4096);
    }

    private ulong NodeIdOf(int peer, string name)
    {
        var id = _nodeIds.GetOrAdd((peer, name), _ => (ulong)Interlocked.Increment(ref _nextNode));
        _names[id] = (peer, name);
        return id;
    }

    private int Lookup(ulong parent, string name, ref FuseReply reply, ulong unique, Span<byte> output)
    {
        ulong found = 0;
        var peers = _peers;
        if (parent == FuseProtocol.RootId)
        {
            var index = Array.FindIndex(peers, p => p.Name == name && p.Present);
            found = index < 0 ? 0 : 2 + (ulong)index;
        }
        else if (parent >= 2 && parent < 2 + (ulong)peers.Length)
        {
            var peer = (int)(parent - 2);
            found = peers[peer].Devices().Any(d => d.Name == name) ? NodeIdOf(peer, name) : 0;
        }

        if (found == 0 || Attributes(found) is not { } attributes)
        {
            return FuseReply.Error(output, unique, Errno.ENOENT).Length;
        }

        reply.Entry(new FileEntry(found, 0, attributes, Timeout, Timeout));
        return reply.Finish(unique).Length;
    }

    private void ReadDir(scoped ref FuseRequest request, ref FuseReply reply)
    {
        var plus = request.Opcode == FuseOpcode.ReadDirPlus;
        var node = request.NodeId;
        request.Skip(8); // fh
        var offset = (long)request.U64();
        var size = (int)Math.Min(request.U32(), (uint)reply.Free);
        var entries = new List<(string Name, ulong Node, bool Dir)> { (".", node, true), ("..", FuseProtocol.RootId, true) };
        var peers = _peers;
        if (node == FuseProtocol.RootId)
        {
            entries.AddRange(peers.Select((p, i) => (Peer: p, Node: 2 + (ulong)i)).Where(x => x.Peer.Present).Select(x => (x.Peer.Name, x.Node, true)));
        }
        else if (node >= 2 && node < 2 + (ulong)peers.Length)
        {
            var peer = (int)(node - 2);
            entries.AddRange(peers[peer].Devices().Select(d => (d.Name, NodeIdOf(peer, d.Name), false)));
        }

        var used = 0;
        for (var i = (int)offset; i < entries.Count; i++)
        {
            var (name, id, dir) = entries[i];
            var bytes = Encoding.UTF8.GetBytes(name);
            var length = ((plus ? FuseProtocol.EntryOutSize : 0) + DirentHeader + bytes.Length + 7) & ~7;
            if (used + length > size)
            {
                break;
            }

            if (plus)
            {
                if (name is "." or ".." || Attributes(id) is not { } attributes)
                {
                    reply.Zeros(FuseProtocol.EntryOutSize); // no lookup: the kernel keeps no entry
                }
                else
                {
                    reply.Entry(new FileEntry(id, 0, attributes, Timeout, Timeout));
                }
            }

            reply.U64(id);
            reply.U64((ulong)(i + 1));
            reply.U32((uint)bytes.Length);
            reply.U32(dir ? 4u : 8u); // DT_DIR, DT_REG
            reply.Bytes(bytes);
            reply.Align8();
            used += length;
        }
    }

    private int Open(scoped ref FuseRequest request, Span<byte> output)
    {
        var flags = (int)request.U32();
        if (!_names.TryGetValue(request.NodeId, out var name))
        {
            return FuseReply.Error(output, request.Unique, IsDevice(request.NodeId) ? Errno.ENOENT : Errno.EISDIR).Length;
        }

        var peer = _peers[name.Peer];
        var unique = request.Unique;
        var generation = peer.Generation;
        var call = new DeviceCall { Open = new OpenCall { Name = name.Name, Flags = flags, Pid = request.Pid, Command = CommandOf(request.Pid) } };
        Complete(unique, peer, peer.CallAsync(call, -1, out var id), id, (ref FuseReply reply, DeviceEvent e) =>
        {
            var fh = (ulong)Interlocked.Increment(ref _nextHandle);
            _handles[fh] = new RemoteHandle(peer, generation, (ulong)e.Result, name.Name);
            // A stream unless the device itself takes positions (then lseek works here as there).
            reply.OpenOut(fh, e.Seekable ? FuseProtocol.FopenDirectIo : FuseProtocol.FopenDirectIo | FuseProtocol.FopenNonseekable | FuseProtocol.FopenStream);
            return 0;
        });
        return 0;
    }

    private int Read(scoped ref FuseRequest request, Span<byte> output)
    {
        var fh = request.U64();
        request.Skip(8); // offset: devices are streams
        var size = request.U32();
        request.Skip(4 + 8); // read_flags, lock_owner
        var flags = request.U32();
        if (!_handles.TryGetValue(fh, out var handle))
        {
            return FuseReply.Error(output, request.Unique, Errno.EBADF).Length;
        }

        var call = new DeviceCall { Read = new ReadCall { Handle = handle.Remote, Size = size, Nonblocking = (flags & DeviceCalls.O_NONBLOCK) != 0 } };
        Complete(request.Unique, handle.Peer, handle.Peer.CallAsync(call, handle.Generation, out var id), id, (ref FuseReply reply, DeviceEvent e) =>
        {
            reply.Bytes(e.Data.Span);
            return 0;
        });
        return 0;
    }

    private int Write(scoped ref FuseRequest request, Span<byte> output)
    {
        var fh = request.U64();
        request.Skip(8); // offset
        var size = (int)request.U32();
        request.Skip(4 + 8); // write_flags, lock_owner
        var flags = request.U32();
        request.Skip(4);
        var data = request.Bytes(size);
        if (!_handles.TryGetValue(fh, out var handle))
        {
            return FuseReply.Error(output, request.Unique, Errno.EBADF).Length;
        }

        var call = new DeviceCall { Write = new WriteCall { Handle = handle.Remote, Data = ByteString.CopyFrom(data), Nonblocking = (flags & DeviceCalls.O_NONBLOCK) != 0 } };
        Complete(request.Unique, handle.Peer, handle.Peer.CallAsync(call, handle.Generation, out var id), id, (ref FuseReply reply, DeviceEvent e) =>
        {
            reply.U32((uint)e.Result);
            reply.U32(0);
            return 0;
        });
        return 0;
    }

    private int Ioctl(scoped ref FuseRequest request, Span<byte> output)
    {
        var pid = request.Pid;
        var unique = request.Unique;
        var ioctl = FuseIoctlIn.Read(ref request);
        if (!_handles.TryGetValue(ioctl.FileHandle, out var handle) || (ioctl.Flags & FuseProtocol.IoctlDir) != 0)
        {
            return FuseReply.Error(output, unique, Errno.ENOTTY).Length;
        }

        var layout = IoctlTable.Describe(ioctl.Command);
        if (layout.Argument == IoctlArgument.Unknown || (ioctl.Flags & FuseProtocol.IoctlCompat) != 0)
        {
            DeviceLog.UnknownIoctl(_logger, ioctl.Command, handle.Name);
            return FuseReply.Error(output, unique, Errno.ENOTTY).Length;
        }

        var call = new IoctlCall { Handle = handle.Remote, Command = ioctl.Command };
        if (layout.Argument == IoctlArgument.Value)
        {
            call.Value = ioctl.Argument;
        }
        else if (layout.Encoded)
        {
            call.Input = ByteString.CopyFrom(ioctl.Input); // the kernel copied it from the caller
        }
        else if (layout.ReadsMemory)
        {
            // Not encoded in the number: the caller is blocked in ioctl(2), read its argument memory.
            var input = new byte[layout.Size];
            var rc = DeviceCalls.ReadProcessMemory((int)pid, ioctl.Argument, input);
            if (rc != input.Length)
            {
                DeviceLog.CallerMemory(_logger, ioctl.Command, pid, rc < 0 ? (int)-rc : Errno.EFAULT);
                return FuseReply.Error(output, unique, Errno.EFAULT).Length;
            }

            call.Input = ByteString.CopyFrom(input);
        }

        var address = ioctl.Argument;
        var outputSize = (int)ioctl.OutputSize;
        Complete(unique, handle.Peer, handle.Peer.CallAsync(new DeviceCall { Ioctl = call }, handle.Generation, out var id), id, (ref FuseReply reply, DeviceEvent e) =>
        {
            var data = e.Data.Span;
            if (layout.WritesMemory && !layout.Encoded)
            {
                var rc = DeviceCalls.WriteProcessMemory((int)pid, address, data);
                if (rc != data.Length)
                {
                    DeviceLog.CallerMemory(_logger, layout.Command, pid, rc < 0 ? (int)-rc : Errno.EFAULT);
                    return Errno.EFAULT;
                }

                data = default;
            }

            reply.IoctlOut((int)e.Result, data[..Math.Min(data.Length, outputSize)]);
            return 0;
        });
        return 0;
    }

    private int Poll(scoped ref FuseRequest request, Span<byte> output)
    {
        var poll = FusePollIn.Read(ref request);
        if (!_handles.TryGetValue(poll.FileHandle, out var handle))
        {
            return FuseReply.Error(output, request.Unique, Errno.EBADF).Length;
        }

        var call = new DeviceCall { Poll = new PollCall { Handle = handle.Remote, Events = poll.Events, Notify = poll.WantsNotify, KernelHandle = poll.KernelHandle } };
        Complete(request.Unique, handle.Peer, handle.Peer.CallAsync(call, handle.Generation, out var id), id, (ref FuseReply reply, DeviceEvent e) =>
        {
            reply.PollOut((uint)e.Result);
            return 0;
        });
        return 0;
    }

    private int Release(scoped ref FuseRequest request, Span<byte> output)
    {
        var fh = request.U64();
        if (_handles.TryRemove(fh, out var handle))
        {
            _ = handle.Peer.CallAsync(new DeviceCall { Release = new ReleaseCall { Handle = handle.Remote } }, handle.Generation);
        }

        return new FuseReply(output).Finish(request.Unique).Length;
    }

    /// <summary>Answers request <paramref name="unique"/> when the peer does: an error as -errno, a success through <paramref name="write"/>.</summary>
    private void Complete(ulong unique, PeerDevices peer, Task<DeviceEvent> call, ulong id, ReplyWriter write)
    {
        _inFlight[unique] = (peer, id);
        _ = call.ContinueWith(
            t =>
            {
                _inFlight.TryRemove(unique, out _);
                var buffer = ArrayPool<byte>.Shared.Rent(FuseProtocol.BufferSize);
                try
                {
                    ReadOnlySpan<byte> message;
                    try
                    {
                        var e = t.Result;
                        if (e.Errno != 0)
                        {
                            message = FuseReply.Error(buffer, unique, e.Errno);
                        }
                        else
                        {
                            var reply = new FuseReply(buffer);
                            var errno = write(ref reply, e);
                            message = errno == 0 ? reply.Finish(unique) : FuseReply.Error(buffer, unique, errno);
                        }
                    }
                    catch (Exception e) when (e is not OutOfMemoryException)
                    {
                        DeviceLog.RequestFailed(_logger, e);
                        message = FuseReply.Error(buffer, unique, Errno.EIO);
                    }

                    _ = _device?.Write(message);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private void Wake(ulong kernelHandle)
    {
        if (_device is { } device)
        {
            _ = FuseNotifier.PollWakeup(device, kernelHandle);
        }
    }

    private static string CommandOf(uint pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/comm").TrimEnd('\n');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }

    /// <summary>Writes a successful reply's body; returns 0, or an errno to answer instead.</summary>
    private delegate int ReplyWriter(ref FuseReply reply, DeviceEvent e);

    private sealed record RemoteHandle(PeerDevices Peer, int Generation, ulong Remote, string Name);
}
