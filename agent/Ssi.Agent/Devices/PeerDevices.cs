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
    private readonly Func<string, GrpcChannel> _connect;
    private readonly TimeSpan _listingAge;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Lock _listingLock = new();
    private GrpcChannel _channel;
    private Contracts.V1.Device.DeviceClient _client;
    private Session? _session;
    private IReadOnlyList<ExportedDevice> _listing = [];
    private long _listedAt = -1;
    private long _nextId;
    private int _generation;
    private volatile bool _present = true;

    /// <param name="connect">Makes the channel to an endpoint (host:port) of the peer's agent.</param>
    public PeerDevices(string self, string name, string endpoint, Func<string, GrpcChannel> connect, TimeSpan listingAge, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(connect);
        _self = self;
        Name = name;
        Endpoint = endpoint;
        _connect = connect;
        _channel = connect(endpoint);
        _client = new Contracts.V1.Device.DeviceClient(_channel);
        _listingAge = listingAge;
        _logger = logger;
    }

    public string Name { get; }

    /// <summary>Where the peer's agent is now (host:port).</summary>
    public string Endpoint { get; private set; }

    /// <summary>False once the node left the cluster: it lists no devices, and its directory is not shown.</summary>
    public bool Present => _present;

    /// <summary>Increases each time a session ends: handles of an older generation are dead.</summary>
    public int Generation => Volatile.Read(ref _generation);

    /// <summary>A kernel poll handle to wake (a readiness event from the peer).</summary>
    public event Action<ulong>? Ready;

    /// <summary>The peer's exports, at most the listing age old; the last known list when the peer does not answer.</summary>
    public IReadOnlyList<ExportedDevice> Devices()
    {
        if (!_present)
        {
            return [];
        }

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
        Session? session = null;
        try
        {
            await _writeLock.WaitAsync().ConfigureAwait(false);
            try
            {
                if (generation >= 0 && generation != Generation)
                {
                    return new DeviceEvent { Id = call.Id, Errno = Errno.EIO };
                }

                session = _session ??= await StartAsync().ConfigureAwait(false);
                if (call.OpCase == DeviceCall.OpOneofCase.Cancel)
                {
                    await session.Stream.RequestStream.WriteAsync(call).ConfigureAwait(false);
                    return new DeviceEvent { Id = call.Id };
                }

                session.Pending[call.Id] = reply;
                await session.Stream.RequestStream.WriteAsync(call).ConfigureAwait(false);
            }
            finally
            {
                _writeLock.Release();
            }
        }
        catch (Exception e) when (e is RpcException or IOException or InvalidOperationException or ObjectDisposedException)
        {
            session?.Pending.TryRemove(call.Id, out _);
            DeviceLog.PeerLost(_logger, Name, e.Message);
            return new DeviceEvent { Id = call.Id, Errno = Errno.EIO };
        }

        return await reply.Task.ConfigureAwait(false);
    }

    /// <summary>
    /// The peer's agent moved to <paramref name="endpoint"/> (a new pod), or left the cluster (null).
    /// A move ends the current session: its calls and handles fail with EIO, the next open connects
    /// to the new endpoint.
    /// </summary>
    public async Task RetargetAsync(string? endpoint)
    {
        GrpcChannel? old = null;
        Session? ended = null;
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            _present = endpoint is not null;
            if (endpoint is not null && endpoint != Endpoint)
            {
                old = _channel;
                _channel = _connect(endpoint);
                _client = new Contracts.V1.Device.DeviceClient(_channel);
                Endpoint = endpoint;
                ended = _session;
                _session = null;
                if (ended is not null)
                {
                    Interlocked.Increment(ref _generation);
                }
            }
        }
        finally
        {
            _writeLock.Release();
        }

        lock (_listingLock)
        {
            _listedAt = -1;
        }

        ended?.Stream.Dispose();
        old?.Dispose();
    }

    public void Dispose()
    {
        _session?.Stream.Dispose();
        _channel.Dispose();
        _writeLock.Dispose();
    }

    private async Task<Session> StartAsync()
    {
        var session = new Session(_client.Session());
        await session.Stream.RequestStream.WriteAsync(new DeviceCall { Hello = new SessionHello { Node = _self } }).ConfigureAwait(false);
        _ = ReadAsync(session);
        return session;
    }

    private async Task ReadAsync(Session session)
    {
        var reason = "the session ended";
        try
        {
            await foreach (var reply in session.Stream.ResponseStream.ReadAllAsync().ConfigureAwait(false))
            {
                if (reply.Id == 0)
                {
                    Ready?.Invoke(reply.Ready);
                }
                else if (session.Pending.TryRemove(reply.Id, out var waiter))
                {
                    waiter.TrySetResult(reply);
                }
            }
        }
        catch (Exception e) when (e is RpcException or IOException or InvalidOperationException or OperationCanceledException or ObjectDisposedException)
        {
            reason = e.Message;
        }

        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (ReferenceEquals(_session, session))
            {
                _session = null;
                Interlocked.Increment(ref _generation);
            }

            // Calls are added to a session only under this lock, and never to one that is no longer current.
            foreach (var id in session.Pending.Keys.ToList())
            {
                if (session.Pending.TryRemove(id, out var waiter))
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
        session.Stream.Dispose();
    }

    /// <summary>One session stream and the calls sent on it that wait for their reply.</summary>
    private sealed record Session(AsyncDuplexStreamingCall<DeviceCall, DeviceEvent> Stream)
    {
        public ConcurrentDictionary<ulong, TaskCompletionSource<DeviceEvent>> Pending { get; } = new();
    }
}
