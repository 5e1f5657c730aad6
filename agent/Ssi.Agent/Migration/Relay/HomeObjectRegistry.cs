using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Ssi.Agent.Migration.Relay;

/// <summary>Objects kept on this node for processes that moved away, by id.</summary>
internal sealed class HomeObjectRegistry(ILogger<HomeObjectRegistry> logger)
{
    private readonly ConcurrentDictionary<string, HomeObject> _objects = new(StringComparer.Ordinal);

    public HomeObject Add(string id, string kind, RelayDirection direction, int fd, string attemptId)
    {
        var item = new HomeObject(id, kind, direction, fd, attemptId, logger);
        _objects[id] = item;
        _ = item.Finished.ContinueWith(_ => Remove(id), TaskScheduler.Default);
        return item;
    }

    public HomeObject? Find(string id) => _objects.GetValueOrDefault(id);

    public IReadOnlyList<HomeObject> Snapshot() => _objects.Values.ToList();

    /// <summary>The attempt committed: its objects start serving their stand-ins.</summary>
    public void Activate(string attemptId, Action? lost = null)
    {
        foreach (var item in _objects.Values.Where(o => o.AttemptId == attemptId))
        {
            item.Lost = lost;
            item.Activate();
        }
    }

    /// <summary>The attempt was rolled back: the original process kept its descriptors, drop the copies.</summary>
    public void Drop(string attemptId)
    {
        foreach (var item in _objects.Values.Where(o => o.AttemptId == attemptId && !o.IsActive).ToList())
        {
            Remove(item.Id);
        }
    }

    /// <summary>The cluster goes away: every object stops relaying. Returns how many there were.</summary>
    public int Clear()
    {
        var ids = _objects.Keys.ToList();
        ids.ForEach(Remove);
        return ids.Count;
    }

    private void Remove(string id)
    {
        if (_objects.TryRemove(id, out var item))
        {
            item.Dispose();
        }
    }
}
