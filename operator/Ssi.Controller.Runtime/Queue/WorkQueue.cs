namespace Ssi.Controller.Runtime.Queue;

/// <summary>
/// client-go's rate-limited work queue: a key is queued at most once, never handed to two workers at
/// once (a key added while in process is queued again when <see cref="Done"/>), delayed adds keep the
/// earliest due time, failures back off exponentially per key until <see cref="Forget"/>.
/// </summary>
public sealed class WorkQueue<TKey> : IDisposable
    where TKey : notnull
{
    private readonly Lock _lock = new();
    private readonly Queue<TKey> _queue = new();
    private readonly HashSet<TKey> _dirty = [];
    private readonly HashSet<TKey> _processing = [];
    private readonly Dictionary<TKey, int> _failures = [];
    private readonly Dictionary<TKey, (DateTimeOffset Due, ITimer Timer)> _delayed = [];
    private readonly SemaphoreSlim _available = new(0);
    private readonly TimeProvider _time;
    private readonly WorkQueueOptions _options;
    private bool _shutDown;

    public WorkQueue(TimeProvider time, WorkQueueOptions? options = null)
    {
        _time = time;
        _options = options ?? new WorkQueueOptions();
    }

    /// <summary>Keys waiting to be processed (not counting delayed ones).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _queue.Count;
            }
        }
    }

    public int DelayedCount
    {
        get
        {
            lock (_lock)
            {
                return _delayed.Count;
            }
        }
    }

    public void Add(TKey key)
    {
        lock (_lock)
        {
            if (_shutDown || !_dirty.Add(key))
            {
                return;
            }

            if (_processing.Contains(key))
            {
                return;
            }

            _queue.Enqueue(key);
        }

        _available.Release();
    }

    public void AddAfter(TKey key, TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero)
        {
            Add(key);
            return;
        }

        lock (_lock)
        {
            if (_shutDown)
            {
                return;
            }

            var due = _time.GetUtcNow() + delay;
            if (_delayed.TryGetValue(key, out var existing))
            {
                if (existing.Due <= due)
                {
                    return;
                }

                existing.Timer.Dispose();
            }

            var timer = _time.CreateTimer(_ => Fire(key), null, delay, Timeout.InfiniteTimeSpan);
            _delayed[key] = (due, timer);
        }
    }

    /// <summary>Adds after the key's backoff and counts one more failure.</summary>
    public TimeSpan AddRateLimited(TKey key)
    {
        TimeSpan delay;
        lock (_lock)
        {
            var failures = _failures.GetValueOrDefault(key) + 1;
            _failures[key] = failures;
            delay = Backoff(failures);
        }

        AddAfter(key, delay);
        return delay;
    }

    public int Failures(TKey key)
    {
        lock (_lock)
        {
            return _failures.GetValueOrDefault(key);
        }
    }

    /// <summary>The key succeeded: its backoff starts over.</summary>
    public void Forget(TKey key)
    {
        lock (_lock)
        {
            _failures.Remove(key);
        }
    }

    /// <summary>The next key; null once shut down.</summary>
    public async Task<TKey?> GetAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                await _available.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return default;
            }

            lock (_lock)
            {
                if (_shutDown)
                {
                    return default;
                }

                if (_queue.Count == 0)
                {
                    continue;
                }

                var key = _queue.Dequeue();
                _processing.Add(key);
                _dirty.Remove(key);
                return key;
            }
        }
    }

    /// <summary>The worker is finished with the key; if it was added meanwhile it is queued again.</summary>
    public void Done(TKey key)
    {
        var requeued = false;
        lock (_lock)
        {
            _processing.Remove(key);
            if (_dirty.Contains(key) && !_shutDown)
            {
                _queue.Enqueue(key);
                requeued = true;
            }
        }

        if (requeued)
        {
            _available.Release();
        }
    }

    public void ShutDown()
    {
        lock (_lock)
        {
            _shutDown = true;
            foreach (var (_, (_, timer)) in _delayed)
            {
                timer.Dispose();
            }

            _delayed.Clear();
        }

        _available.Release(64);
    }

    public void Dispose()
    {
        ShutDown();
        _available.Dispose();
    }

    private TimeSpan Backoff(int failures)
    {
        var factor = Math.Pow(2, Math.Min(failures - 1, 30));
        var delay = _options.BaseDelay * factor;
        return delay > _options.MaxDelay ? _options.MaxDelay : delay;
    }

    private void Fire(TKey key)
    {
        lock (_lock)
        {
            if (!_delayed.Remove(key, out var entry))
            {
                return;
            }

            entry.Timer.Dispose();
        }

        Add(key);
    }
}
