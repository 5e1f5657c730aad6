using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Ssi.Testing.FakeApiServer;

namespace Ssi.Operator.Tests.FakeApi;

/// <summary>The fake API server behaves like the real one for what the operator relies on, seen through the real client.</summary>
public sealed partial class FakeApiServerTests : IAsyncLifetime
{
    private FakeApiServer _server = null!;
    private Kubernetes _client = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeApiServer.StartAsync(historyLimit: 50);
        _client = _server.CreateClient();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    private static V1ConfigMap ConfigMap(string name, string value) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default", Labels = new Dictionary<string, string> { ["app"] = "test" } },
        Data = new Dictionary<string, string> { ["k"] = value },
    };

    [Fact]
    public async Task A_stale_update_is_rejected_with_409_Conflict()
    {
        var created = await _client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("a", "1"), "default");
        created.Data["k"] = "2";
        await _client.CoreV1.ReplaceNamespacedConfigMapAsync(created, "a", "default");

        created.Data["k"] = "3";
        var e = await Assert.ThrowsAsync<HttpOperationException>(() => _client.CoreV1.ReplaceNamespacedConfigMapAsync(created, "a", "default"));

        Assert.Equal(HttpStatusCode.Conflict, e.Response.StatusCode);
    }

    [Fact]
    public async Task Generation_moves_on_spec_changes_only_and_status_goes_through_its_subresource()
    {
        var ds = await _client.AppsV1.CreateNamespacedDaemonSetAsync(new V1DaemonSet
        {
            Metadata = new V1ObjectMeta { Name = "ds", NamespaceProperty = "default" },
            Spec = new V1DaemonSetSpec { Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["a"] = "b" } } },
            Status = new V1DaemonSetStatus { NumberReady = 5 },
        }, "default");
        Assert.Null(ds.Status);
        Assert.Equal(1, ds.Metadata.Generation);

        ds.Metadata.Labels = new Dictionary<string, string> { ["x"] = "y" };
        ds.Status = new V1DaemonSetStatus { NumberReady = 3 };
        ds = await _client.AppsV1.ReplaceNamespacedDaemonSetAsync(ds, "ds", "default");
        Assert.Equal(1, ds.Metadata.Generation);
        Assert.Null(ds.Status);

        ds.Status = new V1DaemonSetStatus { NumberReady = 2 };
        ds = await _client.AppsV1.ReplaceNamespacedDaemonSetStatusAsync(ds, "ds", "default");
        Assert.Equal(2, ds.Status.NumberReady);

        ds.Spec.MinReadySeconds = 4;
        ds = await _client.AppsV1.ReplaceNamespacedDaemonSetAsync(ds, "ds", "default");
        Assert.Equal(2, ds.Metadata.Generation);
        Assert.Equal(2, ds.Status.NumberReady);
    }

    [Fact]
    public async Task Delete_with_a_finalizer_only_marks_and_removing_the_finalizer_deletes()
    {
        var cm = ConfigMap("f", "1");
        cm.Metadata.Finalizers = ["test/keep"];
        await _client.CoreV1.CreateNamespacedConfigMapAsync(cm, "default");

        await _client.CoreV1.DeleteNamespacedConfigMapAsync("f", "default");
        var marked = await _client.CoreV1.ReadNamespacedConfigMapAsync("f", "default");
        Assert.NotNull(marked.Metadata.DeletionTimestamp);

        await _client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"metadata":{"finalizers":null}}""", V1Patch.PatchType.MergePatch), "f", "default");

        Assert.Null(_server.Get("", "configmaps", "default", "f"));
    }

    [Fact]
    public async Task Deleting_an_owner_deletes_its_dependents()
    {
        var owner = await _client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("owner", "1"), "default");
        var dependent = ConfigMap("dependent", "1");
        dependent.Metadata.OwnerReferences = [new V1OwnerReference { ApiVersion = "v1", Kind = "ConfigMap", Name = "owner", Uid = owner.Metadata.Uid, Controller = true }];
        await _client.CoreV1.CreateNamespacedConfigMapAsync(dependent, "default");

        await _client.CoreV1.DeleteNamespacedConfigMapAsync("owner", "default");

        Assert.Null(_server.Get("", "configmaps", "default", "dependent"));
    }

    [Fact]
    public async Task List_pages_with_limit_and_continue()
    {
        for (var i = 0; i < 5; i++)
        {
            await _client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap($"p{i}", "1"), "default");
        }

        var names = new List<string>();
        string? next = null;
        do
        {
            var page = await _client.CoreV1.ListNamespacedConfigMapAsync("default", limit: 2, continueParameter: next);
            names.AddRange(page.Items.Select(i => i.Metadata.Name));
            next = page.Metadata.ContinueProperty;
        }
        while (next is not null);

        Assert.Equal(["p0", "p1", "p2", "p3", "p4"], names);
    }

    [Fact]
    public async Task Json_patch_and_merge_patch_apply()
    {
        await _client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("m", "1"), "default");

        await _client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""[{"op":"replace","path":"/data/k","value":"2"},{"op":"add","path":"/data/j","value":"x"}]""", V1Patch.PatchType.JsonPatch), "m", "default");
        var patched = await _client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"data":{"j":null,"l":"y"}}""", V1Patch.PatchType.MergePatch), "m", "default");

        Assert.Equal(new Dictionary<string, string> { ["k"] = "2", ["l"] = "y" }, patched.Data);
    }

    [Fact]
    public async Task A_watch_streams_changes_after_its_resourceVersion_and_bookmarks()
    {
        _server.BookmarkInterval = TimeSpan.FromMilliseconds(50);
        await _client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("w0", "1"), "default");
        var list = await _client.CoreV1.ListNamespacedConfigMapAsync("default");
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var seen = new List<(WatchEventType, string)>();
        var created = false;
        await foreach (var (type, item) in _client.CoreV1.WatchListNamespacedConfigMapAsync("default", allowWatchBookmarks: true, resourceVersion: list.Metadata.ResourceVersion, cancellationToken: cancel.Token))
        {
            seen.Add((type, item.Metadata.Name ?? ""));
            if (!created)
            {
                created = true;
                await _client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("w1", "1"), "default", cancellationToken: cancel.Token);
            }

            if (seen.IndexOf((WatchEventType.Added, "w1")) is var added and >= 0 && seen.Skip(added).Any(s => s.Item1 == WatchEventType.Bookmark))
            {
                break;
            }
        }

        Assert.DoesNotContain((WatchEventType.Added, "w0"), seen);
        Assert.Contains((WatchEventType.Added, "w1"), seen);
    }

    [Fact]
    public async Task A_watch_from_a_compacted_resourceVersion_gets_410_Gone()
    {
        var old = await _client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("g", "1"), "default");
        _server.CompactHistory();
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var errors = new List<Exception>();

        await foreach (var _ in _client.CoreV1.WatchListNamespacedConfigMapAsync("default", resourceVersion: old.Metadata.ResourceVersion, onError: errors.Add, cancellationToken: cancel.Token))
        {
        }

        var gone = Assert.IsType<KubernetesException>(Assert.Single(errors));
        Assert.Equal(410, gone.Status.Code);
    }

    [Fact]
    public async Task Requests_are_counted_by_verb()
    {
        await _client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("c", "1"), "default");
        await _client.CoreV1.ReadNamespacedConfigMapAsync("c", "default");

        Assert.Equal(1, _server.Requests["create"]);
        Assert.Equal(1, _server.Requests["get"]);
        Assert.Equal(1, _server.Requests.Writes);
    }

    [Fact]
    public async Task A_CRD_created_through_the_server_serves_its_kind()
    {
        var crd = JsonNode.Parse("""
            {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"widgets.example.com"},
             "spec":{"group":"example.com","scope":"Namespaced","names":{"plural":"widgets","kind":"Widget"},
                     "versions":[{"name":"v1","served":true,"storage":true,"subresources":{"status":{}}}]}}
            """)!;
        await _client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(KubernetesJson.Deserialize<V1CustomResourceDefinition>(crd.ToJsonString()));

        await _client.CustomObjects.CreateNamespacedCustomObjectAsync(new { apiVersion = "example.com/v1", kind = "Widget", metadata = new { name = "w" } }, "example.com", "v1", "default", "widgets");

        Assert.NotNull(_server.Get("example.com", "widgets", "default", "w"));
    }

    [Fact]
    public async Task A_custom_resource_is_defaulted_pruned_and_validated_against_its_CRD_schema()
    {
        _server.InstallCustomResourceDefinition(Ssi.Orchestration.Manifests.ManifestReader.ReadFile(Path.Combine(Ssi.Testing.RepositoryPaths.Root, "crds", "ssi.io_processmigrations.yaml")).Single().Root);

        await _client.CustomObjects.CreateNamespacedCustomObjectAsync(
            JsonNode.Parse("""{"apiVersion":"ssi.io/v1alpha1","kind":"ProcessMigration","metadata":{"name":"ok"},"spec":{"cluster":"demo","clusterPid":7,"targetNode":"node2","extra":1}}"""),
            "ssi.io", "v1alpha1", "default", "processmigrations");
        var bad = await Assert.ThrowsAsync<HttpOperationException>(() => _client.CustomObjects.CreateNamespacedCustomObjectAsync(
            JsonNode.Parse("""{"apiVersion":"ssi.io/v1alpha1","kind":"ProcessMigration","metadata":{"name":"bad"},"spec":{"cluster":"demo","clusterPid":0,"mode":"warp"}}"""),
            "ssi.io", "v1alpha1", "default", "processmigrations"));

        var stored = _server.Get("ssi.io", "processmigrations", "default", "ok")!;
        Assert.Equal("auto", stored["spec"]!["mode"]!.GetValue<string>());
        Assert.False(stored["spec"]!["dryRun"]!.GetValue<bool>());
        Assert.Null(stored["spec"]!["extra"]);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, bad.Response.StatusCode);
        Assert.Contains("spec.targetNode: Required value", bad.Response.Content, StringComparison.Ordinal);
        Assert.Contains("spec.mode: Unsupported value", bad.Response.Content, StringComparison.Ordinal);
        Assert.Contains("spec.clusterPid", bad.Response.Content, StringComparison.Ordinal);
    }
}
