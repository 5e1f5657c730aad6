using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using k8s;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Ssi.Testing.FakeApiServer;

/// <summary>
/// An in-process Kubernetes API server over HTTP (Kestrel on 127.0.0.1, a random port) for the real
/// KubernetesClient and kubectl: real JSON, real chunked watch streams. Generic storage for every
/// kind of <see cref="FakeResourceType.BuiltIn"/> and of every CRD created through it;
/// resourceVersion (one counter) with 409 on stale updates; generation bumped on spec changes only;
/// the /status subresource; finalizers and deletionTimestamp; ownerReference garbage collection;
/// list with limit/continue; watch from a resourceVersion, bookmarks, 410 Gone for a version older
/// than the retained history; merge, strategic merge (as merge) and JSON patch; the
/// <c>pods/{name}/portforward</c> subresource over WebSocket (<see cref="FakePortForward"/>), which
/// connects to the pod's IP as the node would (<see cref="RoutePodIp"/> stands for a pod network the
/// test's client cannot reach). No admission, no authentication.
/// </summary>
public sealed class FakeApiServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly FakeObjectStore _store;
    private readonly ConcurrentDictionary<string, FakeResourceType> _types = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<string, CrdSchema> _schemas = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, IPAddress> _podRoutes = new(StringComparer.Ordinal);

    private FakeApiServer(WebApplication app, FakeObjectStore store)
    {
        _app = app;
        _store = store;
        foreach (var type in FakeResourceType.BuiltIn)
        {
            Register(type);
        }

        _store.CustomResourceDefined += crd =>
        {
            var spec = crd["spec"]!;
            var version = spec["versions"]!.AsArray().FirstOrDefault(v => v?["storage"]?.GetValue<bool>() == true) ?? spec["versions"]![0]!;
            var type = new FakeResourceType(
                spec["group"]!.GetValue<string>(),
                version["name"]!.GetValue<string>(),
                spec["names"]!["plural"]!.GetValue<string>(),
                spec["names"]!["kind"]!.GetValue<string>(),
                spec["scope"]?.GetValue<string>() != "Cluster",
                version["subresources"]?["status"] is not null)
            {
                ShortNames = (spec["names"]!["shortNames"] as JsonArray ?? []).Select(n => n!.GetValue<string>()).ToList(),
            };
            Register(type);
            if (version["schema"]?["openAPIV3Schema"] is JsonObject openApi)
            {
                _schemas[type.Key] = new CrdSchema((JsonObject)openApi.DeepClone());
            }
        };
    }

    public Uri Url { get; private set; } = null!;

    public FakeApiRequestCounts Requests { get; } = new();

    /// <summary>How often a watch that allows bookmarks gets one.</summary>
    public TimeSpan BookmarkInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The current (global) resourceVersion.</summary>
    public long ResourceVersion => _store.ResourceVersion;

    public int OpenWatches => _store.OpenWatches;

    public static async Task<FakeApiServer> StartAsync(int historyLimit = 10_000, TimeProvider? time = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var server = new FakeApiServer(app, new FakeObjectStore(time ?? TimeProvider.System, historyLimit));
        app.UseWebSockets();
        app.Run(server.HandleAsync);
        await app.StartAsync().ConfigureAwait(false);
        server.Url = new Uri(app.Urls.First());
        return server;
    }

    /// <summary>A real client for this server.</summary>
    public Kubernetes CreateClient() => new(ClientConfiguration());

    public KubernetesClientConfiguration ClientConfiguration() => new() { Host = Url.ToString().TrimEnd('/') };

    /// <summary>A kubeconfig file content that points kubectl at this server.</summary>
    public string Kubeconfig() => $"""
        apiVersion: v1
        kind: Config
        clusters:
        - name: fake
          cluster:
            server: {Url.ToString().TrimEnd('/')}
        contexts:
        - name: fake
          context:
            cluster: fake
            user: fake
            namespace: default
        current-context: fake
        users:
        - name: fake
          user:
            token: fake
        """;

    /// <summary>
    /// Port-forwards to a pod whose IP is <paramref name="podIp"/> connect to <paramref name="reachableAt"/>
    /// instead: the pod network as the node sees it, for a pod IP the test's clients cannot reach.
    /// </summary>
    public void RoutePodIp(string podIp, IPAddress reachableAt) => _podRoutes[podIp] = reachableAt;

    public void Register(FakeResourceType type) => _types[type.Group + "/" + type.Plural] = type;

    public IReadOnlyCollection<FakeResourceType> Types => _types.Values.ToList();

    /// <summary>The stored object (a copy), or null.</summary>
    public JsonObject? Get(string group, string plural, string? ns, string name) => _store.Get(Type(group, plural), ns, name);

    public T? Get<T>(string group, string plural, string? ns, string name)
        where T : class => Get(group, plural, ns, name) is { } o ? KubernetesJson.Deserialize<T>(o.ToJsonString()) : null;

    public IReadOnlyList<JsonObject> List(string group, string plural, string? ns = null) => _store.List(Type(group, plural), ns, _ => true, null, null).Items;

    /// <summary>Writes an object's status as a controller inside the cluster would (the kubelet, the DaemonSet controller); not counted as a request.</summary>
    public void SetStatus(string group, string plural, string? ns, string name, JsonObject status)
    {
        var type = Type(group, plural);
        _store.Patch(type, ns, name, current =>
        {
            current["status"] = status.DeepClone();
            return current;
        }, statusOnly: true);
    }

    /// <summary>Installs a CRD (as parsed JSON) without a request: its kind is served, defaulted and validated from then on.</summary>
    public void InstallCustomResourceDefinition(JsonObject crd) =>
        _store.Create(Type("apiextensions.k8s.io", "customresourcedefinitions"), null, (JsonObject)crd.DeepClone());

    /// <summary>
    /// Plays the DaemonSet controller and the kubelets: every DaemonSet gets ready pods on the nodes its
    /// node affinity lists (<paramref name="defaultNodes"/> without a list), observedGeneration included.
    /// Status writes are direct (not counted as requests) and happen only when the status differs.
    /// </summary>
    public void SimulateDaemonSetController(int defaultNodes = 2, TimeSpan? interval = null)
    {
        var period = interval ?? TimeSpan.FromMilliseconds(50);
        _simulations.Add(Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(period);
            try
            {
                while (await timer.WaitForNextTickAsync(_stopping.Token).ConfigureAwait(false))
                {
                    foreach (var ds in List("apps", "daemonsets"))
                    {
                        var listed = ds["spec"]?["template"]?["spec"]?["affinity"]?["nodeAffinity"]?["requiredDuringSchedulingIgnoredDuringExecution"]?["nodeSelectorTerms"]?[0]?["matchExpressions"]?[0]?["values"] as JsonArray;
                        var nodes = listed?.Count ?? defaultNodes;
                        var status = new JsonObject
                        {
                            ["desiredNumberScheduled"] = nodes,
                            ["currentNumberScheduled"] = nodes,
                            ["numberReady"] = nodes,
                            ["numberAvailable"] = nodes,
                            ["updatedNumberScheduled"] = nodes,
                            ["numberMisscheduled"] = 0,
                            ["observedGeneration"] = ds["metadata"]!["generation"]!.GetValue<long>(),
                        };
                        if (!JsonNode.DeepEquals(ds["status"], status))
                        {
                            try
                            {
                                SetStatus("apps", "daemonsets", FakeObjectStore.Ns(ds), FakeObjectStore.Name(ds), status);
                            }
                            catch (FakeApiException)
                            {
                                // Deleted meanwhile.
                            }
                        }
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        }));
    }

    private readonly List<Task> _simulations = [];

    /// <summary>Forgets the watch history and closes open watches: clients must relist (410 Gone on resume).</summary>
    public void CompactHistory() => _store.CompactHistory();

    /// <summary>Ends every open watch stream (as an API server restart or a load balancer timeout would).</summary>
    public void CloseWatches() => _store.CloseWatches();

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_simulations).ConfigureAwait(false);
        _store.CloseWatches();
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    internal static JsonObject Status(HttpStatusCode code, string reason, string message) => new()
    {
        ["kind"] = "Status",
        ["apiVersion"] = "v1",
        ["metadata"] = new JsonObject(),
        ["status"] = "Failure",
        ["message"] = message,
        ["reason"] = reason,
        ["code"] = (int)code,
    };

    private FakeResourceType Type(string group, string plural) =>
        _types.TryGetValue(group + "/" + plural, out var type) ? type : throw new FakeApiException(HttpStatusCode.NotFound, "NotFound", $"the server could not find the requested resource ({group}/{plural})");

    private async Task HandleAsync(HttpContext context)
    {
        try
        {
            var segments = context.Request.Path.Value!.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
            if (await DiscoveryAsync(context, segments).ConfigureAwait(false))
            {
                return;
            }

            if (segments is ["api", "v1", "namespaces", var ns, "pods", var pod, "portforward"])
            {
                await PortForwardAsync(context, ns, pod).ConfigureAwait(false);
                return;
            }

            await ResourceAsync(context, segments).ConfigureAwait(false);
        }
        catch (FakeApiException e)
        {
            await WriteAsync(context, e.Code, Status(e.Code, e.Reason, e.Message)).ConfigureAwait(false);
        }
        catch (System.Text.Json.JsonException e)
        {
            await WriteAsync(context, HttpStatusCode.BadRequest, Status(HttpStatusCode.BadRequest, "BadRequest", e.Message)).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception e) when (!context.Response.HasStarted)
        {
            await WriteAsync(context, HttpStatusCode.InternalServerError, Status(HttpStatusCode.InternalServerError, "InternalError", e.ToString())).ConfigureAwait(false);
        }
    }

    private async Task<bool> DiscoveryAsync(HttpContext context, string[] s)
    {
        if (context.Request.Method != "GET")
        {
            return false;
        }

        JsonObject? answer = s switch
        {
            ["version"] => new JsonObject { ["major"] = "1", ["minor"] = "35", ["gitVersion"] = "v1.35.0-fake", ["platform"] = "linux/amd64" },
            ["api"] => new JsonObject
            {
                ["kind"] = "APIVersions",
                ["versions"] = new JsonArray("v1"),
                ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject { ["clientCIDR"] = "0.0.0.0/0", ["serverAddress"] = Url.Authority }),
            },
            ["apis"] => new JsonObject
            {
                ["kind"] = "APIGroupList",
                ["apiVersion"] = "v1",
                ["groups"] = new JsonArray(_types.Values.Where(t => t.Group.Length > 0).GroupBy(t => t.Group).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g =>
                {
                    var version = new JsonObject { ["groupVersion"] = g.First().ApiVersion, ["version"] = g.First().Version };
                    return (JsonNode)new JsonObject { ["name"] = g.Key, ["versions"] = new JsonArray(version.DeepClone()), ["preferredVersion"] = version };
                }).ToArray()),
            },
            ["api", var v] => Resources("", v),
            ["apis", var g, var v] => Resources(g, v),
            ["openapi", ..] => throw new FakeApiException(HttpStatusCode.NotFound, "NotFound", "the fake API server serves no OpenAPI schema"),
            _ => null,
        };
        if (answer is null)
        {
            return false;
        }

        await WriteAsync(context, HttpStatusCode.OK, answer).ConfigureAwait(false);
        return true;
    }

    private JsonObject Resources(string group, string version)
    {
        var types = _types.Values.Where(t => t.Group == group && t.Version == version).OrderBy(t => t.Plural, StringComparer.Ordinal).ToList();
        if (types.Count == 0)
        {
            throw new FakeApiException(HttpStatusCode.NotFound, "NotFound", $"no group version {group}/{version}");
        }

        var resources = new JsonArray();
        foreach (var t in types)
        {
            resources.Add(new JsonObject
            {
                ["name"] = t.Plural,
                ["singularName"] = t.Kind.ToLowerInvariant(),
                ["namespaced"] = t.Namespaced,
                ["kind"] = t.Kind,
                ["verbs"] = new JsonArray("create", "delete", "get", "list", "patch", "update", "watch"),
                ["shortNames"] = new JsonArray(t.ShortNames.Select(n => (JsonNode)n).ToArray()),
            });
            if (t.HasStatus)
            {
                resources.Add(new JsonObject { ["name"] = t.Plural + "/status", ["singularName"] = "", ["namespaced"] = t.Namespaced, ["kind"] = t.Kind, ["verbs"] = new JsonArray("get", "patch", "update") });
            }
        }

        return new JsonObject { ["kind"] = "APIResourceList", ["apiVersion"] = "v1", ["groupVersion"] = types[0].ApiVersion, ["resources"] = resources };
    }

    private async Task ResourceAsync(HttpContext context, string[] s)
    {
        string group;
        string version;
        string[] rest;
        switch (s)
        {
            case ["api", var v, .. var r]:
                (group, version, rest) = ("", v, r);
                break;
            case ["apis", var g, var v, .. var r]:
                (group, version, rest) = (g, v, r);
                break;
            default:
                throw new FakeApiException(HttpStatusCode.NotFound, "NotFound", $"no route {context.Request.Path}");
        }

        string? ns = null;
        if (rest is ["namespaces", var n, _, ..])
        {
            ns = n;
            rest = rest[2..];
        }

        if (rest.Length is 0 or > 3)
        {
            throw new FakeApiException(HttpStatusCode.NotFound, "NotFound", $"no route {context.Request.Path}");
        }

        var type = Type(group, rest[0]);
        if (type.Version != version)
        {
            throw new FakeApiException(HttpStatusCode.NotFound, "NotFound", $"{group}/{version} does not serve {rest[0]}");
        }

        var name = rest.Length > 1 ? rest[1] : null;
        var statusOnly = rest.Length == 3 && rest[2] == "status";
        if (rest.Length == 3 && !(statusOnly && type.HasStatus))
        {
            throw new FakeApiException(HttpStatusCode.NotFound, "NotFound", $"no subresource {rest[2]} on {type.Plural}");
        }

        if (type.Namespaced != (ns is not null) && !(ns is null && name is null && context.Request.Method == "GET"))
        {
            throw new FakeApiException(HttpStatusCode.NotFound, "NotFound", $"{type.Plural} is {(type.Namespaced ? "namespaced" : "cluster-scoped")}");
        }

        var resource = statusOnly ? type.Plural + "/status" : type.Plural;
        var query = context.Request.Query;
        switch (context.Request.Method, name)
        {
            case ("GET", null) when query["watch"] is ["true" or "1"]:
                Requests.Add("watch", resource);
                await WatchAsync(context, type, ns).ConfigureAwait(false);
                break;
            case ("GET", null):
                {
                    Requests.Add("list", resource);
                    int? limit = int.TryParse(query["limit"], out var l) ? l : null;
                    var (items, rv, next) = _store.List(type, ns, Filter(context), limit, query["continue"] is [{ Length: > 0 } c] ? c : null);
                    var metadata = new JsonObject { ["resourceVersion"] = rv.ToString(CultureInfo.InvariantCulture) };
                    if (next is not null)
                    {
                        metadata["continue"] = next;
                    }

                    await WriteAsync(context, HttpStatusCode.OK, new JsonObject
                    {
                        ["kind"] = type.Kind + "List",
                        ["apiVersion"] = type.ApiVersion,
                        ["metadata"] = metadata,
                        ["items"] = new JsonArray(items.Select(i => (JsonNode)i).ToArray()),
                    }).ConfigureAwait(false);
                    break;
                }

            case ("GET", _):
                Requests.Add("get", resource);
                await WriteAsync(context, HttpStatusCode.OK, _store.Get(type, ns, name)
                    ?? throw new FakeApiException(HttpStatusCode.NotFound, "NotFound", $"{type.Plural} \"{name}\" not found")).ConfigureAwait(false);
                break;
            case ("POST", null):
                Requests.Add("create", resource);
                await WriteAsync(context, HttpStatusCode.Created, _store.Create(type, ns, Admit(type, await BodyAsync(context).ConfigureAwait(false)))).ConfigureAwait(false);
                break;
            case ("PUT", not null):
                {
                    Requests.Add("update", resource);
                    var body = await BodyAsync(context).ConfigureAwait(false);
                    if (FakeObjectStore.Name(body) is { Length: > 0 } bodyName && bodyName != name)
                    {
                        throw new FakeApiException(HttpStatusCode.BadRequest, "BadRequest", "the name of the object does not match the name in the URL");
                    }

                    await WriteAsync(context, HttpStatusCode.OK, _store.Patch(type, ns, name, current => Admit(type, Merge(current, body, statusOnly)), statusOnly, body)).ConfigureAwait(false);
                    break;
                }

            case ("PATCH", not null):
                {
                    Requests.Add("patch", resource);
                    var contentType = context.Request.ContentType?.Split(';')[0].Trim() ?? "";
                    var patch = await System.Text.Json.JsonSerializer.DeserializeAsync<JsonNode>(context.Request.Body).ConfigureAwait(false);
                    Func<JsonObject, JsonObject> apply = contentType switch
                    {
                        "application/merge-patch+json" or "application/strategic-merge-patch+json" => current => (JsonObject)JsonPatching.MergePatch(current, patch)!,
                        "application/json-patch+json" => current => (JsonObject)JsonPatching.ApplyJsonPatch(current, patch as JsonArray ?? throw new FakeApiException(HttpStatusCode.BadRequest, "BadRequest", "a JSON patch is an array")),
                        _ => throw new FakeApiException(HttpStatusCode.UnsupportedMediaType, "UnsupportedMediaType", $"the fake API server does not support {contentType} patches"),
                    };
                    await WriteAsync(context, HttpStatusCode.OK, _store.Patch(type, ns, name, current => Admit(type, apply(current)), statusOnly)).ConfigureAwait(false);
                    break;
                }

            case ("DELETE", not null) when !statusOnly:
                Requests.Add("delete", resource);
                await WriteAsync(context, HttpStatusCode.OK, _store.Delete(type, ns, name)).ConfigureAwait(false);
                break;
            default:
                throw new FakeApiException(HttpStatusCode.MethodNotAllowed, "MethodNotAllowed", $"{context.Request.Method} is not supported on {context.Request.Path}");
        }
    }

    /// <summary>
    /// <c>pods/{name}/portforward?ports=...</c> over WebSocket, counted as <c>create</c> on
    /// <c>pods/portforward</c> (as recent API servers authorize it); the pod must exist and have an IP.
    /// </summary>
    private async Task PortForwardAsync(HttpContext context, string ns, string name)
    {
        Requests.Add("create", "pods/portforward");
        if (!context.WebSockets.IsWebSocketRequest)
        {
            throw new FakeApiException(HttpStatusCode.BadRequest, "BadRequest", "the fake API server serves port-forwards over WebSocket only (no SPDY)");
        }

        var subprotocol = context.WebSockets.WebSocketRequestedProtocols.FirstOrDefault(p => FakePortForward.Subprotocols.Contains(p, StringComparer.Ordinal))
            ?? throw new FakeApiException(HttpStatusCode.BadRequest, "BadRequest", $"port-forward needs one of the subprotocols {string.Join(", ", FakePortForward.Subprotocols)}");
        var ports = context.Request.Query["ports"].SelectMany(p => (p ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries))
            .Select(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536
                ? port
                : throw new FakeApiException(HttpStatusCode.BadRequest, "BadRequest", $"invalid port {p}"))
            .ToList();
        if (ports.Count == 0)
        {
            throw new FakeApiException(HttpStatusCode.BadRequest, "BadRequest", "at least one port is required (?ports=)");
        }

        var pod = _store.Get(Type("", "pods"), ns, name) ?? throw new FakeApiException(HttpStatusCode.NotFound, "NotFound", $"pods \"{name}\" not found");
        var podIp = pod["status"]?["podIP"]?.GetValue<string>() is { Length: > 0 } ip
            ? ip
            : throw new FakeApiException(HttpStatusCode.BadRequest, "BadRequest", $"pod {name} does not have a host assigned");
        var address = _podRoutes.TryGetValue(podIp, out var routed) ? routed : IPAddress.Parse(podIp);
        using var socket = await context.WebSockets.AcceptWebSocketAsync(subprotocol).ConfigureAwait(false);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
        await new FakePortForward(socket, ports).RunAsync(address, cancel.Token).ConfigureAwait(false);
    }

    /// <summary>Defaults, prunes and validates a custom resource against its CRD's schema (kinds whose CRD was created here).</summary>
    private JsonObject Admit(FakeResourceType type, JsonObject obj) => _schemas.TryGetValue(type.Key, out var schema) ? schema.Admit(obj) : obj;

    /// <summary>The object an update would store, so that it can be admitted whole: the body, or the current object with the body's status.</summary>
    private static JsonObject Merge(JsonObject current, JsonObject body, bool statusOnly)
    {
        if (!statusOnly)
        {
            return body;
        }

        var merged = (JsonObject)current.DeepClone();
        merged["status"] = body["status"]?.DeepClone();
        merged["metadata"] = body["metadata"]?.DeepClone();
        return merged;
    }

    private async Task WatchAsync(HttpContext context, FakeResourceType type, string? ns)
    {
        var query = context.Request.Query;
        long? from = long.TryParse(query["resourceVersion"], out var rv) ? rv : null;
        var watch = _store.Watch(type, ns, Filter(context), from);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
        if (int.TryParse(query["timeoutSeconds"], out var timeout) && timeout > 0)
        {
            cancel.CancelAfter(TimeSpan.FromSeconds(timeout));
        }

        Task bookmarks = Task.CompletedTask;
        if (query["allowWatchBookmarks"] is ["true" or "1"])
        {
            bookmarks = Task.Run(async () =>
            {
                using var timer = new PeriodicTimer(BookmarkInterval);
                while (await timer.WaitForNextTickAsync(cancel.Token).ConfigureAwait(false))
                {
                    _store.Bookmark(watch);
                }
            }, CancellationToken.None);
        }

        try
        {
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/json";
            await context.Response.Body.FlushAsync(cancel.Token).ConfigureAwait(false);
            await foreach (var line in watch.Lines.Reader.ReadAllAsync(cancel.Token).ConfigureAwait(false))
            {
                await context.Response.WriteAsync(line + "\n", cancel.Token).ConfigureAwait(false);
                await context.Response.Body.FlushAsync(cancel.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            _store.Unwatch(watch);
            await cancel.CancelAsync().ConfigureAwait(false);
            try
            {
                await bookmarks.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    private static Func<JsonObject, bool> Filter(HttpContext context)
    {
        var labels = LabelSelector.Parse(context.Request.Query["labelSelector"]);
        var fields = ((string?)context.Request.Query["fieldSelector"] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(f => f.Split('=', 2)).Select(p => (Path: p[0], Value: p.Length > 1 ? p[1] : "")).ToList();
        return obj =>
        {
            foreach (var (path, value) in fields)
            {
                var actual = path switch
                {
                    "metadata.name" => FakeObjectStore.Name(obj),
                    "metadata.namespace" => FakeObjectStore.Ns(obj),
                    _ => throw new FakeApiException(HttpStatusCode.BadRequest, "BadRequest", $"field selector {path} is not supported"),
                };
                if (actual != value)
                {
                    return false;
                }
            }

            return labels(obj["metadata"]?["labels"] as JsonObject);
        };
    }

    private static async Task<JsonObject> BodyAsync(HttpContext context) =>
        await System.Text.Json.JsonSerializer.DeserializeAsync<JsonObject>(context.Request.Body).ConfigureAwait(false)
        ?? throw new FakeApiException(HttpStatusCode.BadRequest, "BadRequest", "empty body");

    private static async Task WriteAsync(HttpContext context, HttpStatusCode code, JsonObject body)
    {
        context.Response.StatusCode = (int)code;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString()).ConfigureAwait(false);
    }
}
