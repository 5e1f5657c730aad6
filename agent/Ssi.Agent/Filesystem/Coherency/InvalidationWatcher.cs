using System.Collections.Concurrent;

namespace Ssi.Agent.Filesystem.Coherency;

/// <summary>One node registered for invalidations: sends them and tracks which are not acknowledged yet.</summary>
internal sealed class InvalidationWatcher(Action<ulong, CacheInvalidation> send)
{
    private readonly ConcurrentDictionary<ulong, TaskCompletionSource> _pending = new();
    private volatile bool _closed;

    /// <summary>Sends <paramref name="change"/>; the task completes when the node acknowledges it (at once when the link is gone).</summary>
    public Task Send(ulong id, in CacheInvalidation change)
    {
        if (_closed)
        {
            return Task.CompletedTask;
        }

        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = done;
        try
        {
            send(id, change);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The link broke: the node will drop everything it cached when it comes back.
            Acknowledge(id);
        }

        if (_closed)
        {
            Acknowledge(id);
        }

        return done.Task;
    }

    public void Acknowledge(ulong id)
    {
        if (_pending.TryRemove(id, out var done))
        {
            done.TrySetResult();
        }
    }

    public void Close()
    {
        _closed = true;
        foreach (var id in _pending.Keys)
        {
            Acknowledge(id);
        }
    }
}
