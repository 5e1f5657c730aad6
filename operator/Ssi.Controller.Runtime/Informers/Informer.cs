using System.Collections.Concurrent;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Ssi.Controller.Runtime.Client;

namespace Ssi.Controller.Runtime.Informers;

/// <summary>
/// List + watch of one kind into a local cache: paged list, watch from the list's resourceVersion with
/// bookmarks, resume from the last seen version when a watch ends, relist on 410 Gone, periodic resync.
/// Handlers see every added, changed, deleted and resynced object.
/// </summary>
public sealed partial class Informer<T> : IInformer
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly ResourceClient<T> _client;
    private readonly InformerOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<ObjectKey, T> _cache = new();
    private readonly List<Action<T>> _handlers = [];
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _relists;
    private long _resyncs;

    public Informer(ResourceClient<T> client, InformerOptions options, ILogger logger, TimeProvider time)
    {
        _client = client;
        _options = options;
        _logger = logger;
        _time = time;
    }

    public string Name => _client.Kind.Plural;

    public Task Synced => _synced.Task;

    /// <summary>How many full lists were done (1 + relists after 410 or errors).</summary>
    public long Lists => Interlocked.Read(ref _relists);

    public long Resyncs => Interlocked.Read(ref _resyncs);

    public void AddHandler(Action<T> handler) => _handlers.Add(handler);

    public T? Get(ObjectKey key) => _cache.TryGetValue(key, out var obj) ? obj : null;

    public IReadOnlyList<T> List() => _cache.Values.ToList();

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var resync = ResyncAsync(cancellationToken);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var version = await RelistAsync(cancellationToken).ConfigureAwait(false);
                await WatchUntilGoneAsync(version, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                LogWatchFailed(_logger, Name, e);
                try
                {
                    await Task.Delay(_options.RetryDelay, _time, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }

        await resync.ConfigureAwait(false);
    }

    private async Task<string> RelistAsync(CancellationToken cancellationToken)
    {
        var items = new List<T>();
        string? next = null;
        string version;
        do
        {
            var page = await _client.ListAsync(_options.LabelSelector, _options.PageSize, next, cancellationToken).ConfigureAwait(false);
            items.AddRange(page.Items);
            next = page.Metadata.ContinueProperty;
            version = page.Metadata.ResourceVersion;
        }
        while (!string.IsNullOrEmpty(next));

        Interlocked.Increment(ref _relists);
        var seen = new HashSet<ObjectKey>();
        foreach (var item in items)
        {
            var key = ObjectKey.Of(item);
            seen.Add(key);
            var changed = !_cache.TryGetValue(key, out var old) || old.Metadata.ResourceVersion != item.Metadata.ResourceVersion;
            _cache[key] = item;
            if (changed)
            {
                Notify(item);
            }
        }

        foreach (var (key, gone) in _cache.Where(p => !seen.Contains(p.Key)).ToList())
        {
            _cache.TryRemove(key, out _);
            Notify(gone);
        }

        LogListed(_logger, Name, items.Count, version);
        _synced.TrySetResult();
        return version;
    }

    private async Task WatchUntilGoneAsync(string version, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var gone = false;
            void OnError(Exception e)
            {
                if (e is KubernetesException { Status.Code: 410 })
                {
                    gone = true;
                }
                else
                {
                    LogWatchEventError(_logger, Name, e);
                }
            }

            var timeout = (int)_options.WatchTimeout.TotalSeconds;
            var events = 0;
            try
            {
                await foreach (var (type, obj) in _client.WatchAsync(_options.LabelSelector, version, timeout, OnError, cancellationToken).ConfigureAwait(false))
                {
                    events++;
                    version = Apply(type, obj, version);
                }
            }
            catch (HttpRequestException e) when (events == 0 && e.InnerException is EndOfStreamException)
            {
                // The client peeks at the first line of a watch before it returns the stream; a watch
                // the server ends before any event (timeout, restart) surfaces as end of stream.
                LogWatchEndedEmpty(_logger, Name, version);
            }

            if (gone)
            {
                LogGone(_logger, Name, version);
                return;
            }
        }
    }

    private string Apply(WatchEventType type, T obj, string version)
    {
        if (obj?.Metadata?.ResourceVersion is { Length: > 0 } rv)
        {
            version = rv;
        }

        switch (type)
        {
            case WatchEventType.Added or WatchEventType.Modified:
                _cache[ObjectKey.Of(obj!)] = obj!;
                Notify(obj!);
                break;
            case WatchEventType.Deleted:
                _cache.TryRemove(ObjectKey.Of(obj!), out _);
                Notify(obj!);
                break;
            default:
                break;
        }

        return version;
    }

    private async Task ResyncAsync(CancellationToken cancellationToken)
    {
        if (_options.ResyncPeriod <= TimeSpan.Zero)
        {
            return;
        }

        try
        {
            await _synced.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            using var timer = new PeriodicTimer(_options.ResyncPeriod, _time);
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                foreach (var obj in _cache.Values)
                {
                    Notify(obj);
                }

                Interlocked.Increment(ref _resyncs);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Notify(T obj)
    {
        foreach (var handler in _handlers)
        {
            handler(obj);
        }
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Debug, Message = "Listed {Resource}: {Count} objects at resourceVersion {ResourceVersion}")]
    private static partial void LogListed(ILogger logger, string resource, int count, string resourceVersion);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "Watch of {Resource} from {ResourceVersion} is gone (410); relisting")]
    private static partial void LogGone(ILogger logger, string resource, string resourceVersion);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning, Message = "List or watch of {Resource} failed; retrying")]
    private static partial void LogWatchFailed(ILogger logger, string resource, Exception exception);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Debug, Message = "Watch of {Resource} from {ResourceVersion} ended before any event; watching again")]
    private static partial void LogWatchEndedEmpty(ILogger logger, string resource, string resourceVersion);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Warning, Message = "A watch event of {Resource} could not be read")]
    private static partial void LogWatchEventError(ILogger logger, string resource, Exception exception);
}
