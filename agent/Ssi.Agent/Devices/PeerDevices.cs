using System.Collections.Concurrent;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using Ssi.Agent.Contracts.V1;
using Ssi.Agent.Filesystem;

namespace Ssi.Agent.Devices;

/// <summary>
/// This node's connection to one peer's devices: a cached listing of what it exports, and one
/// session stream that carries every call of every handle opened there. When the stream breaks
/// (the peer's agent died, the network went) every call in flight fails with EIO at once, and the
/// handles opened on it stay dead (EIO); the next open starts a new session.
/// </summary>
internal sealed class PeerDevices : IDisposable
{
    private readonly string _self;
    private readonly GrpcChannel _channel;
    private readonly Contracts.V1.Device.DeviceClient _client;
    private readonly TimeSpan _listingAge;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<ulong, TaskCompletionSource<DeviceEvent>> _pending = new();
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Lock _listingLock = new();
    private AsyncDuplexStreamingCall<DeviceCall, DeviceEvent>? _stream;
    private IReadOnlyList<ExportedDevice> _listing = [];
    private long _listedAt = -1;
    private long _nextId;
    private int _generation;

    public PeerDevices(string self, string name, GrpcChannel channel, TimeSpan listingAge, ILogger logger)
    {
        _self = self;
        Name = name;
        _channel = channel;
        _client = new Contracts.V1.Device.DeviceClient(channel);
        _listingAge = listingAge;
        _logger = logger;
    }

    public string Name { get; }

    /// <summary>Increases each time a session ends: handles of an older generation are dead.</summary>
    public int Generation => Volatile.Read(ref _generation);

    /// <summary>A kernel poll handle to wake (a readiness event from the peer).</summary>
    public event Action<ulong>? Ready;

    /// <summary>The peer's exports, at most the listing age old; the last known list when the peer does not answer.</summary>
    public IReadOnlyList<ExportedDevice> Devices()
    {
        lock (_listingLock)
        {
            if (_listedAt >= 0 && Environment.TickCount64 - _listedAt < _listingAge.TotalMilliseconds)
            {
                return _listing;
            }

            try
            {
                _listing = _client.ListDevices(new ListDevicesRequest(), deadline: DateTime.UtcNow.AddSeconds(2)).Devices.ToList();
            }
            catch (RpcException e)
            {
                DeviceLog.PeerLost(_logger, Name, e.Status.Detail);
            }

            _listedAt = Environment.TickCount64;
            return _listing;
        }
    }

    /// <summary>Sends one call and returns its reply; a lost peer (or a handle of an older <paramref name="generation"/>) answers EIO.</summary>
    public Task<DeviceEvent> CallAsync(DeviceCall call, int generation = -1) => CallAsync(call, generation, out _);

    /// <summary>As above; <paramref name="id"/> names the call for <see cref="Cancel"/>.</summary>
    public Task<DeviceEvent> CallAsync(DeviceCall call, int generation, out ulong id)
    {
        ArgumentNullException.ThrowIfNull(call);
        id = call.Id = (ulong)Interlocked.Increment(ref _nextId);
        return SendAsync(call, generation);
    }

    /// <summary>Asks the peer to end a blocked call with EINTR.</summary>
    public void Cancel(ulong id) => _ = CallAsync(new DeviceCall { Cancel = id }, Generation);

    private async Task<DeviceEvent> SendAsync(DeviceCall call, int generation)
    {
        var reply = new TaskCompletionSource<DeviceEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            await _writeLock.WaitAsync().ConfigureAwait(false);
            try
            {
                if (generation >= 0 && generation != Generation)
                {
                    return new DeviceEvent { Id = call.Id, Errno = Errno.EIO };
                }

                var stream = _stream ??= await StartAsync().ConfigureAwait(false);
                if (call.OpCase == DeviceCall.OpOneofCase.Cancel)
                {
                    await stream.RequestStream.WriteAsync(call).ConfigureAwait(false);
                    return new DeviceEvent { Id = call.Id };
                }

                _pending[call.Id] = reply;
                await stream.RequestStream.WriteAsync(call).ConfigureAwait(false);
            }
            finally
            {
                _writeLock.Release();
            }
        }
        catch (Exception e) when (e is RpcException or IOException or InvalidOperationException or ObjectDisposedException)
        {
            _pending.TryRemove(call.Id, out _);
            DeviceLog.PeerLost(_logger, Name, e.Message);
            return new DeviceEvent { Id = call.Id, Errno = Errno.EIO };
        }

        return await reply.Task.ConfigureAwait(false);
    }

    public void Dispose()
    {
        _stream?.Dispose();
        _channel.Dispose();
        _writeLock.Dispose();
    }

    private async Task<AsyncDuplexStreamingCall<DeviceCall, DeviceEvent>> StartAsync()
    {
        var stream = _client.Session();
        await stream.RequestStream.WriteAsync(new DeviceCall { Hello = new SessionHello { Node = _self } }).ConfigureAwait(false);
        _ = ReadAsync(stream);
        return stream;
    }

    private async Task ReadAsync(AsyncDuplexStreamingCall<DeviceCall, DeviceEvent> stream)
    {
        var reason = "the session ended";
        try
        {
            await foreach (var reply in stream.ResponseStream.ReadAllAsync().ConfigureAwait(false))
            {
                if (reply.Id == 0)
                {
                    Ready?.Invoke(reply.Ready);
                }
                else if (_pending.TryRemove(reply.Id, out var waiter))
                {
                    waiter.TrySetResult(reply);
                }
            }
        }
        catch (Exception e) when (e is RpcException or IOException or InvalidOperationException or OperationCanceledException)
        {
            reason = e.Message;
        }

        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (ReferenceEquals(_stream, stream))
            {
                _stream = null;
                Interlocked.Increment(ref _generation);
            }

            // Every call in flight was sent on this stream (a new one starts only under this lock).
            foreach (var id in _pending.Keys.ToList())
            {
                if (_pending.TryRemove(id, out var waiter))
                {
                    waiter.TrySetResult(new DeviceEvent { Id = id, Errno = Errno.EIO });
                }
            }
        }
        finally
        {
            _writeLock.Release();
        }

        DeviceLog.PeerLost(_logger, Name, reason);

        stream.Dispose();
    }
}
