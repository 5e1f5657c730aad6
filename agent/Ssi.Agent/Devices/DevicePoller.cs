using Ssi.Agent.Filesystem;
using Ssi.Agent.Native.Devices;

namespace Ssi.Agent.Devices;

/// <summary>
/// Waits for device readiness without holding a thread per wait: one thread in epoll_wait for the
/// whole node. Each wait registers its own duplicate of the descriptor (one-shot), so several waits
/// on one device (a blocked read and a poll notification) do not disturb each other.
/// </summary>
internal sealed class DevicePoller : IDisposable
{
    public const uint EPOLLIN = 0x001;
    public const uint EPOLLOUT = 0x004;
    private const uint EPOLLERR = 0x008;
    private const uint EPOLLHUP = 0x010;
    private const uint EPOLLONESHOT = 1u << 30;
    private const int EPOLL_CTL_ADD = 1;
    private const int EPOLL_CTL_DEL = 2;
    private readonly int _epoll;
    private readonly Dictionary<ulong, Waiter> _waiters = [];
    private readonly Lock _lock = new();
    private readonly Thread _thread;
    private ulong _next;
    private volatile bool _disposed;

    public DevicePoller()
    {
        _epoll = DeviceCalls.EpollCreate();
        if (_epoll < 0)
        {
            throw new InvalidOperationException($"epoll_create1 failed: errno {-_epoll}");
        }

        _thread = new Thread(Loop) { IsBackground = true, Name = "device-poller" };
        _thread.Start();
    }

    /// <summary>Completes with the ready events (errors and hang-ups included) once one of <paramref name="events"/> is ready; -errno if it cannot wait.</summary>
    public async Task<int> WaitAsync(int fd, uint events, CancellationToken cancellationToken)
    {
        var dup = DeviceCalls.Dup(fd);
        if (dup < 0)
        {
            return dup;
        }

        var waiter = new Waiter(dup);
        ulong id;
        lock (_lock)
        {
            id = ++_next;
            _waiters[id] = waiter;
            var rc = DeviceCalls.EpollControl(_epoll, EPOLL_CTL_ADD, dup, events | EPOLLERR | EPOLLHUP | EPOLLONESHOT, id);
            if (rc < 0)
            {
                _waiters.Remove(id);
                _ = DeviceCalls.Close(dup);
                return rc;
            }
        }

        using var registration = cancellationToken.Register(() => Finish(id, -1));
        var result = await waiter.Done.Task.ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        return result;
    }

    public void Dispose()
    {
        _disposed = true;
        _thread.Join(TimeSpan.FromSeconds(2));
        lock (_lock)
        {
            foreach (var id in _waiters.Keys.ToList())
            {
                Finish(id, -Errno.EIO);
            }
        }

        _ = DeviceCalls.Close(_epoll);
    }

    private void Finish(ulong id, int result)
    {
        Waiter? waiter;
        lock (_lock)
        {
            if (!_waiters.Remove(id, out waiter))
            {
                return;
            }

            _ = DeviceCalls.EpollControl(_epoll, EPOLL_CTL_DEL, waiter.Fd, 0, 0);
            _ = DeviceCalls.Close(waiter.Fd);
        }

        waiter.Done.TrySetResult(result);
    }

    private void Loop()
    {
        var ready = new (uint Events, ulong Cookie)[64];
        while (!_disposed)
        {
            var n = DeviceCalls.EpollWait(_epoll, ready, 500);
            for (var i = 0; i < n; i++)
            {
                Finish(ready[i].Cookie, (int)ready[i].Events);
            }
        }
    }

    private sealed class Waiter(int fd)
    {
        public int Fd { get; } = fd;

        public TaskCompletionSource<int> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
