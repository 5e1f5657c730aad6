using k8s;
using k8s.Models;
using Ssi.Api.V1Alpha1;
using Ssi.Controller.Runtime.Rbac;
using Ssi.Operator.Hosting;

namespace Ssi.Operator.Tests.Integration;

/// <summary>The whole operator host against the fake API server; assertions are on the objects in the server.</summary>
public sealed class SsiClusterIntegrationTests : IAsyncLifetime
{
    private OperatorScenario _s = null!;

    public async Task InitializeAsync() => _s = await OperatorScenario.StartAsync();

    public async Task DisposeAsync() => await _s.DisposeAsync();

    [Fact]
    public async Task Create_makes_the_agent_objects_and_the_status_converges_to_Ready()
    {
        await _s.StartOperatorAsync();

        await _s.CreateAsync(OperatorScenario.Cluster("demo"));

        await OperatorScenario.Eventually(() => _s.IsReady("demo"), "demo Ready");
        Assert.NotNull(_s.GetDaemonSet("demo"));
        Assert.NotNull(_s.Server.Get("", "serviceaccounts", OperatorScenario.Ns, "demo-ssi-agent"));
        Assert.NotNull(_s.Server.Get("rbac.authorization.k8s.io", "roles", OperatorScenario.Ns, "demo-ssi-agent"));
        Assert.NotNull(_s.Server.Get("rbac.authorization.k8s.io", "rolebindings", OperatorScenario.Ns, "demo-ssi-agent"));
        Assert.Equal("None", _s.Server.Get("", "services", OperatorScenario.Ns, "demo-ssi-agents")!["spec"]!["clusterIP"]!.GetValue<string>());
        var tls = _s.Server.Get<V1Secret>("", "secrets", OperatorScenario.Ns, "demo-ssi-agent-tls")!;
        var ca = _s.Server.Get<V1Secret>("", "secrets", OperatorScenario.Ns, "demo-ssi-ca")!;
        Assert.Equal(ca.Data["ca.crt"], tls.Data["ca.crt"]);
        var cluster = _s.GetCluster("demo")!;
        Assert.Equal(3, cluster.Status!.ReadyNodes);
        Assert.Equal(cluster.Metadata.Generation, cluster.Status.ObservedGeneration);
        Assert.Contains("ssi.io/agent-cleanup", cluster.Metadata.Finalizers);
        Assert.All(cluster.Status.Conditions!, c => Assert.Equal("True", c.Status));
        await OperatorScenario.Eventually(() => _s.Server.List("", "events", OperatorScenario.Ns).Any(e => e["reason"]?.GetValue<string>() == "ClusterReady"), "a ClusterReady event");
    }

    [Fact]
    public async Task Reconcile_recreates_a_deleted_DaemonSet()
    {
        await _s.StartOperatorAsync();
        await _s.CreateAsync(OperatorScenario.Cluster("demo"));
        await OperatorScenario.Eventually(() => _s.IsReady("demo"), "demo Ready");
        var before = _s.GetDaemonSet("demo")!.Metadata.Uid;

        await _s.Client.AppsV1.DeleteNamespacedDaemonSetAsync("demo-ssi-agent", OperatorScenario.Ns);

        await OperatorScenario.Eventually(() => _s.GetDaemonSet("demo") is { } ds && ds.Metadata.Uid != before, "DaemonSet recreated");
    }

    [Fact]
    public async Task A_spec_change_rolls_the_DaemonSet()
    {
        await _s.StartOperatorAsync();
        await _s.CreateAsync(OperatorScenario.Cluster("demo"));
        await OperatorScenario.Eventually(() => _s.IsReady("demo"), "demo Ready");
        var hash = _s.GetDaemonSet("demo")!.Metadata.Annotations["ssi.io/spec-hash"];

        await _s.Client.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch("""{"spec":{"agent":{"logLevel":"Debug"}}}""", V1Patch.PatchType.MergePatch), SsiApiGroup.Group, SsiApiGroup.Version, OperatorScenario.Ns, V1Alpha1SsiCluster.PluralName, "demo");

        await OperatorScenario.Eventually(() => _s.GetDaemonSet("demo")!.Metadata.Annotations["ssi.io/spec-hash"] != hash, "DaemonSet replaced");
        var env = _s.GetDaemonSet("demo")!.Spec.Template.Spec.Containers[0].Env;
        Assert.Contains(env, e => e.Name == "Logging__LogLevel__Default" && e.Value == "Debug");
        await OperatorScenario.Eventually(() => _s.GetCluster("demo")!.Status!.ObservedGeneration == 2, "observedGeneration 2");
    }

    [Fact]
    public async Task Steady_state_makes_no_writes_over_resyncs()
    {
        var op = await _s.StartOperatorAsync();
        await _s.CreateAsync(OperatorScenario.Cluster("demo"));
        await OperatorScenario.Eventually(() => _s.IsReady("demo"), "demo Ready");
        await OperatorScenario.Eventually(() => _s.Server.List("", "events", OperatorScenario.Ns).Any(e => e["reason"]?.GetValue<string>() == "ClusterReady"), "the ClusterReady event");
        await OperatorScenario.Eventually(() => op.Caches.SsiClusters.Resyncs >= 1, "a resync");
        var before = _s.Server.Requests.Snapshot();
        var writes = _s.OperatorWrites();
        var resyncs = op.Caches.SsiClusters.Resyncs;

        await OperatorScenario.Eventually(() => op.Caches.SsiClusters.Resyncs >= resyncs + 3, "three more resyncs");

        var after = _s.Server.Requests.Snapshot();
        var diff = string.Join(", ", after.Where(p => p.Value != before.GetValueOrDefault(p.Key)).Select(p => $"{p.Key} +{p.Value - before.GetValueOrDefault(p.Key)}"));
        Assert.True(writes == _s.OperatorWrites(), "requests during the steady state: " + diff);
    }

    [Fact]
    public async Task Agents_of_a_node_selector_cluster_get_lasting_indices_and_their_addresses_in_the_topology()
    {
        await _s.StartOperatorAsync();
        await _s.CreateAsync(new V1Alpha1SsiCluster
        {
            Metadata = new V1ObjectMeta { Name = "pool", NamespaceProperty = OperatorScenario.Ns },
            Spec = new SsiClusterSpec
            {
                NodeSelector = new Dictionary<string, string> { ["ssi.io/pool"] = "a" },
                Filesystem = new SsiFilesystemSpec { Mode = SsiFilesystemSpec.ModePvc, ClaimName = "shared" },
            },
        });
        await _s.CreateAgentPodAsync("pool", "pool-agent-1", "worker-b", "10.0.0.2");
        await _s.CreateAgentPodAsync("pool", "pool-agent-2", "worker-a", "10.0.0.1");

        await OperatorScenario.Eventually(() => _s.Topology("pool")?.Nodes.Count == 2, "both nodes in the topology");
        var first = _s.Topology("pool")!;
        // Which node gets 0 depends on whether the operator saw one pod or both in its first pass.
        var (a, b) = (first.Find("worker-a")!, first.Find("worker-b")!);
        Assert.Equal([0, 1], new[] { a.Index, b.Index }.Order());
        Assert.Equal(("10.0.0.1:7443", "10.0.0.2:7443"), (a.Endpoint, b.Endpoint));

        // worker-a's agent pod is replaced (new address), worker-b's goes, worker-c joins.
        await _s.Client.CoreV1.DeleteNamespacedPodAsync("pool-agent-2", OperatorScenario.Ns);
        await _s.Client.CoreV1.DeleteNamespacedPodAsync("pool-agent-1", OperatorScenario.Ns);
        await _s.CreateAgentPodAsync("pool", "pool-agent-3", "worker-a", "10.0.0.11");
        await _s.CreateAgentPodAsync("pool", "pool-agent-4", "worker-c", "10.0.0.3");

        await OperatorScenario.Eventually(() => _s.Topology("pool") is { } t && t.Nodes.Count == 3 && t.Find("worker-a")!.Endpoint == "10.0.0.11:7443", "the topology follows the pods");
        var second = _s.Topology("pool")!;
        Assert.Equal(a.Index, second.Find("worker-a")!.Index);
        Assert.Equal((b.Index, null), (second.Find("worker-b")!.Index, second.Find("worker-b")!.Endpoint));
        Assert.Equal(2, second.Find("worker-c")!.Index);
    }

    [Fact]
    public async Task An_invalid_spec_is_Ready_false_with_the_reason_and_no_retry_storm()
    {
        var op = await _s.StartOperatorAsync();

        await _s.CreateAsync(OperatorScenario.Cluster("bad", home: "nowhere"));

        await OperatorScenario.Eventually(() => _s.GetCluster("bad")?.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Reason == "InvalidSpec") == true, "InvalidSpec");
        var ready = _s.GetCluster("bad")!.Status!.Conditions!.Single(c => c.Type == "Ready");
        Assert.Equal("False", ready.Status);
        Assert.Contains("spec.filesystem.home", ready.Message, StringComparison.Ordinal);
        var statusWrites = _s.Server.Requests.Of("update", "ssiclusters/status");
        var resyncs = op.Caches.SsiClusters.Resyncs;
        await OperatorScenario.Eventually(() => op.Caches.SsiClusters.Resyncs >= resyncs + 3, "three more resyncs");
        Assert.Equal(statusWrites, _s.Server.Requests.Of("update", "ssiclusters/status"));
        Assert.Null(_s.GetDaemonSet("bad"));
    }

    [Fact]
    public async Task Delete_runs_the_agent_cleanup_finalizer_then_the_cluster_and_its_objects_are_gone()
    {
        await _s.StartOperatorAsync();
        await _s.CreateAsync(OperatorScenario.Cluster("demo"));
        await OperatorScenario.Eventually(() => _s.IsReady("demo"), "demo Ready");

        await _s.Client.CustomObjects.DeleteNamespacedCustomObjectAsync(SsiApiGroup.Group, SsiApiGroup.Version, OperatorScenario.Ns, V1Alpha1SsiCluster.PluralName, "demo");

        await OperatorScenario.Eventually(() => _s.GetCluster("demo") is null, "cluster gone");
        Assert.Contains("ssi/demo", _s.Fleet.Cleanups);
        // A reconcile from a cache that has not seen the finalizer go yet may clean up (idempotently) once more.
        var cleanups = _s.Server.List("", "events", OperatorScenario.Ns).Where(e => e["reason"]?.GetValue<string>() == "AgentCleanup").ToList();
        Assert.NotEmpty(cleanups);
        Assert.All(cleanups, e => Assert.Equal("Agents cleaned up on node1, node2, node3.", e["message"]?.GetValue<string>()));
        Assert.Null(_s.GetDaemonSet("demo"));
        Assert.Null(_s.Server.Get("", "secrets", OperatorScenario.Ns, "demo-ssi-ca"));
    }

    [Fact]
    public async Task Delete_with_an_unreachable_agent_records_a_warning_naming_it_and_the_cluster_is_gone_anyway()
    {
        await _s.StartOperatorAsync();
        await _s.CreateAsync(OperatorScenario.Cluster("demo"));
        await OperatorScenario.Eventually(() => _s.IsReady("demo"), "demo Ready");
        _s.Fleet.Down["node2"] = true;

        await _s.Client.CustomObjects.DeleteNamespacedCustomObjectAsync(SsiApiGroup.Group, SsiApiGroup.Version, OperatorScenario.Ns, V1Alpha1SsiCluster.PluralName, "demo");

        await OperatorScenario.Eventually(() => _s.GetCluster("demo") is null, "cluster gone");
        var warning = _s.Server.List("", "events", OperatorScenario.Ns).First(e => e["reason"]?.GetValue<string>() == "AgentCleanupIncomplete");
        Assert.Equal("Warning", warning["type"]?.GetValue<string>());
        Assert.Contains("Not cleaned up: node2 (unreachable)", warning["message"]?.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unhealthy_agent_makes_the_cluster_not_Ready_and_recovery_makes_it_Ready_again()
    {
        await _s.StartOperatorAsync();
        await _s.CreateAsync(OperatorScenario.Cluster("demo"));
        await OperatorScenario.Eventually(() => _s.IsReady("demo"), "demo Ready");

        _s.Fleet.Down["node2"] = true;
        await OperatorScenario.Eventually(() => !_s.IsReady("demo"), "demo not Ready");
        Assert.Equal(2, _s.GetCluster("demo")!.Status!.ReadyNodes);

        _s.Fleet.Down.TryRemove("node2", out _);
        await OperatorScenario.Eventually(() => _s.IsReady("demo"), "demo Ready again");
    }

    [Fact]
    public async Task The_operator_uses_only_what_its_RBAC_table_declares()
    {
        await _s.StartOperatorAsync();
        await _s.CreateAsync(OperatorScenario.Cluster("demo"));
        await OperatorScenario.Eventually(() => _s.IsReady("demo"), "demo Ready");
        await _s.Client.AppsV1.DeleteNamespacedDaemonSetAsync("demo-ssi-agent", OperatorScenario.Ns);
        await _s.Client.CustomObjects.DeleteNamespacedCustomObjectAsync(SsiApiGroup.Group, SsiApiGroup.Version, OperatorScenario.Ns, V1Alpha1SsiCluster.PluralName, "demo");
        await OperatorScenario.Eventually(() => _s.GetCluster("demo") is null, "cluster gone");
        var ours = new[] { "create ssiclusters", "delete daemonsets", "delete ssiclusters" };

        var allowed = OperatorResources.Requirements.SelectMany(r => r.Verbs.Select(v => v + " " + r.Resource)).ToHashSet();
        var used = _s.Server.Requests.Snapshot().Keys.Where(k => !ours.Contains(k)).ToList();

        Assert.All(used, u => Assert.Contains(u, allowed));
    }

    [Fact]
    public async Task The_metrics_endpoint_counts_reconciles_and_reports_the_leader()
    {
        var op = await _s.StartOperatorAsync();
        await _s.CreateAsync(OperatorScenario.Cluster("demo"));
        await OperatorScenario.Eventually(() => _s.IsReady("demo"), "demo Ready");
        using var http = new HttpClient { BaseAddress = new Uri(op.HttpAddress) };

        var metrics = await http.GetStringAsync("/metrics");

        Assert.Matches("ssi_controller_reconcile_total\\{controller=\"ssicluster\",result=\"[a-z_]+\"\\} [1-9]", metrics);
        Assert.Contains("ssi_controller_reconcile_duration_seconds_bucket", metrics, StringComparison.Ordinal);
        Assert.Contains("ssi_controller_workqueue_depth", metrics, StringComparison.Ordinal);
        Assert.Contains("ssi_controller_leader 1", metrics, StringComparison.Ordinal);
        Assert.Equal("\"leading\"", await http.GetStringAsync("/readyz"));
    }

    [Fact]
    public async Task The_home_nodes_agent_pod_is_labelled_for_the_home_Service()
    {
        await _s.StartOperatorAsync();
        await _s.CreateAsync(OperatorScenario.Cluster("demo"));
        await OperatorScenario.Eventually(() => _s.IsReady("demo"), "demo Ready");
        foreach (var node in new[] { "node1", "node2" })
        {
            await _s.Client.CoreV1.CreateNamespacedPodAsync(new V1Pod
            {
                Metadata = new V1ObjectMeta
                {
                    Name = "demo-ssi-agent-" + node,
                    NamespaceProperty = OperatorScenario.Ns,
                    Labels = new Dictionary<string, string> { ["app.kubernetes.io/name"] = "ssi-agent", ["app.kubernetes.io/instance"] = "demo", ["ssi.io/home"] = "true" },
                },
                Spec = new V1PodSpec { NodeName = node, Containers = [new V1Container { Name = "agent", Image = "agent" }] },
            }, OperatorScenario.Ns);
        }

        string? Home(string node) => _s.Server.Get<V1Pod>("", "pods", OperatorScenario.Ns, "demo-ssi-agent-" + node)!.Metadata.Labels.TryGetValue("ssi.io/home", out var v) ? v : null;
        await OperatorScenario.Eventually(() => Home("node1") == "true" && Home("node2") is null, "only node1's agent labelled home");

        var service = _s.Server.Get<V1Service>("", "services", OperatorScenario.Ns, "demo-ssi-home")!;
        Assert.Equal("true", service.Spec.Selector["ssi.io/home"]);
        var env = _s.GetDaemonSet("demo")!.Spec.Template.Spec.Containers[0].Env;
        Assert.Contains(env, e => e.Name == "Filesystem__HomeEndpoint" && e.Value == "demo-ssi-home.ssi.svc:7443");
    }
}
