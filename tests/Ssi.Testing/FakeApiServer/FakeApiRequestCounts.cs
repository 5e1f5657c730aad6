using System.Collections.Concurrent;

namespace Ssi.Testing.FakeApiServer;

/// <summary>Requests the fake API server answered, by Kubernetes verb (get, list, watch, create, update, patch, delete).</summary>
public sealed class FakeApiRequestCounts
{
    private static readonly string[] WriteVerbs = ["create", "update", "patch", "delete"];
    private readonly ConcurrentDictionary<string, long> _byVerb = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _byVerbAndResource = new(StringComparer.Ordinal);

    public long this[string verb] => _byVerb.TryGetValue(verb, out var n) ? n : 0;

    /// <summary>Requests of one verb on one resource (plural, with "/status" for the subresource).</summary>
    public long Of(string verb, string resource) => _byVerbAndResource.TryGetValue(verb + " " + resource, out var n) ? n : 0;

    public long Writes => WriteVerbs.Sum(v => this[v]);

    public long Total => _byVerb.Values.Sum();

    /// <summary>A copy of the counts, to compare before and after.</summary>
    public IReadOnlyDictionary<string, long> Snapshot() => new Dictionary<string, long>(_byVerbAndResource);

    internal void Add(string verb, string resource)
    {
        _byVerb.AddOrUpdate(verb, 1, (_, n) => n + 1);
        _byVerbAndResource.AddOrUpdate(verb + " " + resource, 1, (_, n) => n + 1);
    }
}
