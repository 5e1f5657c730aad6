using Microsoft.Extensions.Logging;
using Ssi.Agent.Native.Fuse;

namespace Ssi.Agent.Filesystem.Fuse;

/// <summary>
/// Serves one FUSE mount: several threads each read a request from /dev/fuse, hand it to the
/// request handler (the home's dispatcher, or the forwarder to the home) and write the reply.
/// INIT, DESTROY and INTERRUPT are answered here, for this node's kernel.
/// </summary>
internal sealed class FuseSession : IDisposable
{
    private const int EAGAIN = 11;
    private readonly FuseDevice _device;
    private readonly IFuseRequestHandler _handler;
    private readonly ILogger _logger;
    private readonly bool _wantPassthrough;
    private readonly bool _locks;
    private readonly List<Thread> _threads = [];
    private readonly TaskCompletionSource _initialized = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _running;
    private int _initAnswered;

    /// <param name="locks">The handler answers GETLK/SETLK/SETLKW: the kernel sends POSIX and flock locks instead of keeping them itself.</param>
    public FuseSession(FuseDevice device, IFuseRequestHandler handler, bool passthrough, ILogger logger, bool locks = false)
    {
        _device = device;
        _handler = handler;
        _wantPassthrough = passthrough;
        _locks = locks;
        _logger = logger;
    }

    /// <summary>Whether the kernel agreed to passthrough (known after INIT).</summary>
    public bool Passthrough { get; private set; }

    public uint KernelMinor { get; private set; }

    public Task Initialized => _initialized.Task;

    public Task Stopped => _stopped.Task;

    public FuseDevice Device => _device;

    public void Start(int threads)
    {
        for (var i = 0; i < threads; i++)
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = $"fuse-{i}" };
            _threads.Add(thread);
            Interlocked.Increment(ref _running);
            thread.Start();
        }
    }

    public void Dispose() => _device.Dispose();

    private void Loop()
    {
        var input = GC.AllocateUninitializedArray<byte>(FuseProtocol.BufferSize);
        var output = GC.AllocateUninitializedArray<byte>(FuseProtocol.BufferSize);
        try
        {
            while (true)
            {
                int length;
                try
                {
                    length = _device.Read(input);
                }
                catch (Native.NativeException e)
                {
                    FsLog.DeviceFailed(_logger, e.Message);
                    return;
                }

                if (length == 0)
                {
                    return; // unmounted
                }

                var reply = Handle(input.AsSpan(0, length), output, out var stop);
                if (!reply.IsEmpty)
                {
                    _ = _device.Write(reply);
                }

                if (Interlocked.Exchange(ref _initAnswered, 0) == 1)
                {
                    // The kernel applied the INIT reply within that write: the mount is set up.
                    _initialized.TrySetResult();
                }

                if (stop)
                {
                    return;
                }
            }
        }
        finally
        {
            if (Interlocked.Decrement(ref _running) == 0)
            {
                _stopped.TrySetResult();
            }
        }
    }

    private ReadOnlySpan<byte> Handle(ReadOnlySpan<byte> message, Span<byte> output, out bool stop)
    {
        stop = false;
        ulong unique = 0;
        try
        {
            var request = new FuseRequest(message);
            unique = request.Unique;
            switch (request.Opcode)
            {
                case FuseOpcode.Init:
                    return Init(ref request, output);
                case FuseOpcode.Destroy:
                    stop = true;
                    return new FuseReply(output).Finish(unique);
                case FuseOpcode.Interrupt:
                    // Most requests are short: the reply will come. A handler whose requests can block
                    // (device reads, lock waits) ends the interrupted one; EAGAIN makes the kernel resend the interrupt when
                    // the request is not seen yet (and is ignored when it is already answered).
                    return _handler is IFuseInterruptHandler blocking && !blocking.Interrupt(request.U64())
                        ? FuseReply.Error(output, unique, EAGAIN)
                        : default;
                default:
                    var length = _handler.Handle(message, output);
                    return length > 0 ? output[..length] : default; // 0: no reply; Later: it comes from elsewhere
            }
        }
        catch (FsError e)
        {
            return FuseReply.Error(output, unique, e.Errno);
        }
        catch (FuseProtocolException e)
        {
            FsLog.BadRequest(_logger, e.Message);
            return unique == 0 ? default : FuseReply.Error(output, unique, Errno.EIO);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A bug must cost one request an EIO, never a request thread (the mount would hang).
            FsLog.RequestFailed(_logger, e);
            return unique == 0 ? default : FuseReply.Error(output, unique, Errno.EIO);
        }
    }

    private ReadOnlySpan<byte> Init(scoped ref FuseRequest request, Span<byte> output)
    {
        var major = request.U32();
        var minor = request.U32();
        var maxReadahead = request.U32();
        ulong offered = request.U32();
        if (request.Remaining >= 4 && (offered & FuseProtocol.InitExt) != 0)
        {
            offered |= (ulong)request.U32() << 32;
        }

        var reply = new FuseReply(output);
        if (major != FuseProtocol.Major)
        {
            // A newer major: answer with ours and wait for the kernel to retry.
            reply.U32(FuseProtocol.Major);
            reply.U32(FuseProtocol.Minor);
            return reply.Finish(request.Unique);
        }

        KernelMinor = minor;
        var wanted = FuseProtocol.AsyncRead | FuseProtocol.AtomicOTrunc | FuseProtocol.BigWrites | FuseProtocol.DoReaddirplus
            | FuseProtocol.ReaddirplusAuto | FuseProtocol.AsyncDio | FuseProtocol.ParallelDirops | FuseProtocol.MaxPagesFlag
            | FuseProtocol.CacheSymlinks | FuseProtocol.InitExt | FuseProtocol.CreateSuppGroup;
        if (_wantPassthrough)
        {
            wanted |= FuseProtocol.Passthrough;
        }

        if (_locks)
        {
            wanted |= FuseProtocol.PosixLocks | FuseProtocol.FlockLocks;
        }

        var agreed = wanted & offered;
        Passthrough = (agreed & FuseProtocol.Passthrough) != 0;
        reply.U32(FuseProtocol.Major);
        reply.U32(Math.Min(minor, FuseProtocol.Minor));
        reply.U32(maxReadahead);
        reply.U32((uint)agreed);
        reply.U16(64);                       // max_background
        reply.U16(48);                       // congestion_threshold
        reply.U32(FuseProtocol.MaxWrite);
        reply.U32(1);                        // time_gran (ns)
        reply.U16(FuseProtocol.MaxPages);
        reply.U16(0);                        // map_alignment
        reply.U32((uint)(agreed >> 32));     // flags2
        reply.U32(Passthrough ? 1u : 0u);    // max_stack_depth
        reply.Zeros(24);                     // request_timeout + unused
        FsLog.Initialized(_logger, _device.MountPoint, major, minor, Passthrough);
        Volatile.Write(ref _initAnswered, 1);
        return reply.Finish(request.Unique);
    }
}
