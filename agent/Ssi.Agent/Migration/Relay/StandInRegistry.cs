using System.Collections.Concurrent;

namespace Ssi.Agent.Migration.Relay;

/// <summary>Stand-ins of this node by the CRIU key of the process's end, so a later move recognises them.</summary>
internal sealed class StandInRegistry
{
    private readonly ConcurrentDictionary<string, StandIn> _standIns = new(StringComparer.Ordinal);

    public void Add(StandIn standIn) => _standIns[standIn.Key] = standIn;

    public StandIn? Find(string key) => _standIns.GetValueOrDefault(key);

    public IReadOnlyList<StandIn> Snapshot() => _standIns.Values.ToList();

    /// <summary>The cluster goes away: every stand-in stops relaying. Returns how many there were.</summary>
    public int Clear()
    {
        var all = Snapshot();
        foreach (var standIn in all)
        {
            Remove(standIn);
        }

        return all.Count;
    }

    public void Remove(StandIn standIn)
    {
        if (_standIns.TryRemove(new KeyValuePair<string, StandIn>(standIn.Key, standIn)))
        {
            standIn.Dispose();
        }
    }
}
