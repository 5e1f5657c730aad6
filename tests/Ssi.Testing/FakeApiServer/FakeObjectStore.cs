using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace Ssi.Testing.FakeApiServer;

/// <summary>
/// The state of the fake API server: objects by kind, namespace and name; one global resourceVersion
/// counter; the history of changes for watches (bounded: older versions answer 410 Gone).
/// </summary>
internal sealed class FakeObjectStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, SortedDictionary<string, JsonObject>> _objects = new(StringComparer.Ordinal);
    private readonly LinkedList<(long Rv, FakeResourceType Type, string EventType, JsonObject Object)> _history = new();
    private readonly List<FakeWatch> _watches = [];
    private readonly TimeProvider _time;
    private long _resourceVersion = 1000;
    private long _oldestRetained = 1000;

    public FakeObjectStore(TimeProvider time, int historyLimit)
    {
        _time = time;
        HistoryLimit = historyLimit;
    }

    public int HistoryLimit { get; set; }

    public long ResourceVersion
    {
        get
        {
            lock (_lock)
            {
                return _resourceVersion;
            }
        }
    }

    public static string Key(string? ns, string name) => (ns ?? "") + "/" + name;

    public JsonObject? Get(FakeResourceType type, string? ns, string name)
    {
        lock (_lock)
        {
            return Bucket(type).TryGetValue(Key(ns, name), out var o) ? (JsonObject)o.DeepClone() : null;
        }
    }

    public (List<JsonObject> Items, long Rv, string? Continue) List(FakeResourceType type, string? ns, Func<JsonObject, bool> filter, int? limit, string? continueToken)
    {
        lock (_lock)
        {
            var after = continueToken is null ? null : System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(continueToken));
            var items = new List<JsonObject>();
            string? next = null;
            foreach (var (key, obj) in Bucket(type))
            {
                if ((after is not null && string.CompareOrdinal(key, after) <= 0) || (ns is not null && !key.StartsWith(ns + "/", StringComparison.Ordinal)) || !filter(obj))
                {
                    continue;
                }

                if (limit is > 0 && items.Count == limit)
                {
                    next = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(Key(Ns(items[^1]), Name(items[^1]))));
                    break;
                }

                items.Add((JsonObject)obj.DeepClone());
            }

            return (items, _resourceVersion, next);
        }
    }

    public JsonObject Create(FakeResourceType type, string? ns, JsonObject body)
    {
        lock (_lock)
        {
            var meta = Meta(body);
            var name = meta["name"]?.GetValue<string>();
            if (string.IsNullOrEmpty(name))
            {
                var prefix = meta["generateName"]?.GetValue<string>() ?? throw new FakeApiException(HttpStatusCode.UnprocessableEntity, "Invalid", "metadata.name: Required value");
                name = prefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
                meta["name"] = name;
            }

            var bucket = Bucket(type);
            if (bucket.ContainsKey(Key(ns, name)))
            {
                throw new FakeApiException(HttpStatusCode.Conflict, "AlreadyExists", $"{type.Plural} \"{name}\" already exists");
            }

            if (type.HasStatus)
            {
                body.Remove("status");
            }

            body["apiVersion"] = type.ApiVersion;
            body["kind"] = type.Kind;
            if (type.Namespaced)
            {
                meta["namespace"] = ns;
            }

            meta["uid"] = Guid.NewGuid().ToString();
            meta["creationTimestamp"] = Now();
            meta["generation"] = 1L;
            meta.Remove("deletionTimestamp");
            meta["resourceVersion"] = Next();
            bucket[Key(ns, name)] = body;
            Record(type, "ADDED", body);
            if (type.Key == "apiextensions.k8s.io/customresourcedefinitions")
            {
                CustomResourceDefined?.Invoke(body);
            }

            return (JsonObject)body.DeepClone();
        }
    }

    public event Action<JsonObject>? CustomResourceDefined;

    /// <summary>Patches under the lock, so that a patch without a resourceVersion never conflicts.</summary>
    public JsonObject Patch(FakeResourceType type, string? ns, string name, Func<JsonObject, JsonObject> apply, bool statusOnly, JsonObject? precondition = null)
    {
        lock (_lock)
        {
            var current = Get(type, ns, name) ?? throw new FakeApiException(HttpStatusCode.NotFound, "NotFound", $"{type.Plural} \"{name}\" not found");
            var rv = precondition?["metadata"]?["resourceVersion"]?.GetValue<string>();
            if (!string.IsNullOrEmpty(rv) && rv != current["metadata"]!["resourceVersion"]!.GetValue<string>())
            {
                throw new FakeApiException(HttpStatusCode.Conflict, "Conflict",
                    $"Operation cannot be fulfilled on {type.Plural} \"{name}\": the object has been modified; please apply your changes to the latest version and try again");
            }

            return Update(type, ns, name, apply(current), statusOnly);
        }
    }

    /// <summary>Replaces an object (or only its status): 409 on a stale resourceVersion; generation moves on spec changes only.</summary>
    public JsonObject Update(FakeResourceType type, string? ns, string name, JsonObject body, bool statusOnly)
    {
        lock (_lock)
        {
            var bucket = Bucket(type);
            if (!bucket.TryGetValue(Key(ns, name), out var current))
            {
                throw new FakeApiException(HttpStatusCode.NotFound, "NotFound", $"{type.Plural} \"{name}\" not found");
            }

            var meta = Meta(body);
            var rv = meta["resourceVersion"]?.GetValue<string>();
            var currentMeta = Meta(current);
            if (!string.IsNullOrEmpty(rv) && rv != currentMeta["resourceVersion"]!.GetValue<string>())
            {
                throw new FakeApiException(HttpStatusCode.Conflict, "Conflict",
                    $"Operation cannot be fulfilled on {type.Plural} \"{name}\": the object has been modified; please apply your changes to the latest version and try again");
            }

            var updated = (JsonObject)current.DeepClone();
            if (statusOnly)
            {
                updated["status"] = body["status"]?.DeepClone();
            }
            else
            {
                foreach (var (field, value) in body)
                {
                    if (field is "metadata" or "apiVersion" or "kind" || (field == "status" && type.HasStatus))
                    {
                        continue;
                    }

                    updated[field] = value?.DeepClone();
                }

                foreach (var field in updated.Select(p => p.Key).Where(f => f is not ("metadata" or "apiVersion" or "kind") && !(f == "status" && type.HasStatus) && !body.ContainsKey(f)).ToList())
                {
                    updated.Remove(field);
                }

                var updatedMeta = Meta(updated);
                foreach (var field in new[] { "labels", "annotations", "finalizers", "ownerReferences" })
                {
                    updatedMeta[field] = meta[field]?.DeepClone();
                    if (updatedMeta[field] is null)
                    {
                        updatedMeta.Remove(field);
                    }
                }

                if (!JsonNode.DeepEquals(Spec(current), Spec(updated)))
                {
                    updatedMeta["generation"] = currentMeta["generation"]!.GetValue<long>() + 1;
                }
            }

            if (JsonNode.DeepEquals(current, updated))
            {
                return (JsonObject)current.DeepClone();
            }

            Meta(updated)["resourceVersion"] = Next();
            if (Meta(updated)["deletionTimestamp"] is not null && (Meta(updated)["finalizers"] as JsonArray ?? []).Count == 0)
            {
                Remove(type, ns, name, updated);
                return (JsonObject)updated.DeepClone();
            }

            bucket[Key(ns, name)] = updated;
            Record(type, "MODIFIED", updated);
            return (JsonObject)updated.DeepClone();
        }
    }

    /// <summary>Deletes an object; with finalizers it is only marked (deletionTimestamp). Dependents are garbage-collected.</summary>
    public JsonObject Delete(FakeResourceType type, string? ns, string name)
    {
        lock (_lock)
        {
            if (!Bucket(type).TryGetValue(Key(ns, name), out var current))
            {
                throw new FakeApiException(HttpStatusCode.NotFound, "NotFound", $"{type.Plural} \"{name}\" not found");
            }

            var meta = Meta(current);
            if ((meta["finalizers"] as JsonArray ?? []).Count > 0)
            {
                if (meta["deletionTimestamp"] is null)
                {
                    var marked = (JsonObject)current.DeepClone();
                    Meta(marked)["deletionTimestamp"] = Now();
                    Meta(marked)["resourceVersion"] = Next();
                    Bucket(type)[Key(ns, name)] = marked;
                    Record(type, "MODIFIED", marked);
                    return (JsonObject)marked.DeepClone();
                }

                return (JsonObject)current.DeepClone();
            }

            var deleted = (JsonObject)current.DeepClone();
            Meta(deleted)["resourceVersion"] = Next();
            Remove(type, ns, name, deleted);
            return deleted;
        }
    }

    public FakeWatch Watch(FakeResourceType type, string? ns, Func<JsonObject, bool> filter, long? fromRv)
    {
        lock (_lock)
        {
            var watch = new FakeWatch(type, ns, filter);
            if (fromRv is null or 0)
            {
                foreach (var (key, obj) in Bucket(type))
                {
                    if ((ns is null || key.StartsWith(ns + "/", StringComparison.Ordinal)) && filter(obj))
                    {
                        watch.Lines.Writer.TryWrite(Line("ADDED", obj));
                    }
                }
            }
            else if (fromRv < _oldestRetained)
            {
                watch.Lines.Writer.TryWrite(GoneLine(fromRv.Value));
                watch.Lines.Writer.TryComplete();
                return watch;
            }
            else
            {
                foreach (var change in _history.Where(h => h.Rv > fromRv && h.Type.Key == type.Key))
                {
                    if (Matches(watch, change.Object))
                    {
                        watch.Lines.Writer.TryWrite(Line(change.EventType, change.Object));
                    }
                }
            }

            _watches.Add(watch);
            return watch;
        }
    }

    public void Unwatch(FakeWatch watch)
    {
        lock (_lock)
        {
            _watches.Remove(watch);
        }
    }

    public void Bookmark(FakeWatch watch)
    {
        lock (_lock)
        {
            var bookmark = new JsonObject
            {
                ["kind"] = watch.Type.Kind,
                ["apiVersion"] = watch.Type.ApiVersion,
                ["metadata"] = new JsonObject { ["resourceVersion"] = _resourceVersion.ToString(CultureInfo.InvariantCulture) },
            };
            watch.Lines.Writer.TryWrite(new JsonObject { ["type"] = "BOOKMARK", ["object"] = bookmark }.ToJsonString());
        }
    }

    /// <summary>Forgets the watch history: every watch resumed from an older resourceVersion gets 410 Gone; open watches are closed.</summary>
    public void CompactHistory()
    {
        lock (_lock)
        {
            _history.Clear();
            _oldestRetained = _resourceVersion + 1;
            foreach (var watch in _watches)
            {
                watch.Lines.Writer.TryComplete();
            }

            _watches.Clear();
        }
    }

    public void CloseWatches()
    {
        lock (_lock)
        {
            foreach (var watch in _watches)
            {
                watch.Lines.Writer.TryComplete();
            }

            _watches.Clear();
        }
    }

    public int OpenWatches
    {
        get
        {
            lock (_lock)
            {
                return _watches.Count;
            }
        }
    }

    private void Remove(FakeResourceType type, string? ns, string name, JsonObject deleted)
    {
        Bucket(type).Remove(Key(ns, name));
        Record(type, "DELETED", deleted);
        var uid = Meta(deleted)["uid"]?.GetValue<string>();
        foreach (var (dependentType, bucket) in _objects.Select(b => (Type: FindType(b.Key), Bucket: b.Value)).ToList())
        {
            foreach (var (key, dependent) in bucket.ToList())
            {
                var owners = Meta(dependent)["ownerReferences"] as JsonArray ?? [];
                if (dependentType is not null && owners.Any(o => o?["uid"]?.GetValue<string>() == uid))
                {
                    Delete(dependentType, Ns(dependent), Name(dependent));
                }
            }
        }
    }

    private readonly Dictionary<string, FakeResourceType> _types = new(StringComparer.Ordinal);

    private FakeResourceType? FindType(string key) => _types.GetValueOrDefault(key);

    private SortedDictionary<string, JsonObject> Bucket(FakeResourceType type)
    {
        _types[type.Key] = type;
        if (!_objects.TryGetValue(type.Key, out var bucket))
        {
            bucket = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
            _objects[type.Key] = bucket;
        }

        return bucket;
    }

    private void Record(FakeResourceType type, string eventType, JsonObject obj)
    {
        var snapshot = (JsonObject)obj.DeepClone();
        var rv = long.Parse(Meta(snapshot)["resourceVersion"]!.GetValue<string>(), CultureInfo.InvariantCulture);
        _history.AddLast((rv, type, eventType, snapshot));
        while (_history.Count > HistoryLimit)
        {
            _oldestRetained = _history.First!.Value.Rv;
            _history.RemoveFirst();
        }

        foreach (var watch in _watches.Where(w => w.Type.Key == type.Key && Matches(w, snapshot)))
        {
            watch.Lines.Writer.TryWrite(Line(eventType, snapshot));
        }
    }

    private static bool Matches(FakeWatch watch, JsonObject obj) => (watch.Namespace is null || Ns(obj) == watch.Namespace) && watch.Filter(obj);

    private static string Line(string eventType, JsonObject obj) => new JsonObject { ["type"] = eventType, ["object"] = obj.DeepClone() }.ToJsonString();

    private static string GoneLine(long rv) => new JsonObject
    {
        ["type"] = "ERROR",
        ["object"] = FakeApiServer.Status(HttpStatusCode.Gone, "Expired", $"too old resource version: {rv}"),
    }.ToJsonString();

    private string Next() => (++_resourceVersion).ToString(CultureInfo.InvariantCulture);

    private string Now() => _time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    internal static JsonObject Meta(JsonObject obj)
    {
        if (obj["metadata"] is not JsonObject meta)
        {
            meta = new JsonObject();
            obj["metadata"] = meta;
        }

        return meta;
    }

    internal static string? Ns(JsonObject obj) => obj["metadata"]?["namespace"]?.GetValue<string>();

    internal static string Name(JsonObject obj) => obj["metadata"]?["name"]?.GetValue<string>() ?? "";

    /// <summary>What generation tracks: everything but metadata and status.</summary>
    private static JsonObject Spec(JsonObject obj)
    {
        var copy = new JsonObject();
        foreach (var (field, value) in obj)
        {
            if (field is not ("metadata" or "status" or "apiVersion" or "kind"))
            {
                copy[field] = value?.DeepClone();
            }
        }

        return copy;
    }
}
