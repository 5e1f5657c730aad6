using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Ssi.Agent.Contracts.Topology;
using Ssi.Api.V1Alpha1;
using Ssi.Orchestration.Manifests;
using Ssi.Testing;
using Ssi.Testing.FakeApiServer;

namespace Ssi.Operator.Tests.Integration;

/// <summary>A fake API server, a fake agent fleet, a stand-in DaemonSet controller, and helpers to wait on the server's objects.</summary>
internal sealed class OperatorScenario : IAsyncDisposable
{
    public const string Ns = "ssi";
    private readonly List<OperatorProcess> _operators = [];
    private FakeMigrationAgents? _agents;

    private OperatorScenario(FakeApiServer server)
    {
        Server = server;
        Client = server.CreateClient();
        Migrations = new FakeMigrationDriver(attempt => server.List(SsiApiGroup.Group, V1Alpha1ProcessMigration.PluralName)
            .Select(o => o["status"]).FirstOrDefault(s => s?["attemptId"]?.GetValue<string>() == attempt)?["phase"]?.GetValue<string>());
    }

    public FakeMigrationDriver Migrations { get; }

    public FakeApiServer Server { get; }

    public Kubernetes Client { get; }

    public FakeAgentFleet Fleet { get; } = new();

    /// <summary>In-process agents for migrations through the real coordinator (started with <c>withAgents</c>).</summary>
    public FakeMigrationAgents Agents => _agents ?? throw new InvalidOperationException("the scenario was started without agents");

    public static async Task<OperatorScenario> StartAsync(bool withAgents = false)
    {
        var scenario = new OperatorScenario(await FakeApiServer.StartAsync());
        scenario._agents = withAgents ? await FakeMigrationAgents.StartAsync() : null;

        // The repository's CRDs: every write of the operator is defaulted and validated against them.
        foreach (var file in Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "crds"), "*.yaml"))
        {
            scenario.Server.InstallCustomResourceDefinition(ManifestReader.ReadFile(file).Single().Root);
        }

        scenario.Server.SimulateDaemonSetController();
        return scenario;
    }

    /// <summary>One operator replica: migrations through the scripted driver, or, given <paramref name="agents"/>, through the real coordinator to them.</summary>
    public async Task<OperatorProcess> StartOperatorAsync(string identity = "operator-a", FakeMigrationAgents? agents = null)
    {
        var process = agents is null
            ? await OperatorProcess.StartAsync(Server, Fleet, Migrations, identity)
            : await OperatorProcess.StartAsync(Server, Fleet, null, identity, agents.ConnectorsFor(identity));
        _operators.Add(process);
        return process;
    }

    /// <summary>Operator replica "operator-a" running (with <paramref name="agents"/>, through the real coordinator) and SsiCluster "demo" Ready.</summary>
    public async Task<OperatorProcess> ReadyClusterAsync(FakeMigrationAgents? agents = null)
    {
        var process = await StartOperatorAsync("operator-a", agents);
        await CreateAsync(Cluster("demo"));
        await Eventually(() => IsReady("demo"), "demo Ready");
        return process;
    }

    /// <summary>A ProcessMigration of cluster PID 65537 in cluster "demo".</summary>
    public static V1Alpha1ProcessMigration Migration(string name, string target, bool dryRun = false) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = Ns },
        Spec = new ProcessMigrationSpec { Cluster = "demo", ClusterPid = 65537, TargetNode = target, DryRun = dryRun },
    };

    public static V1Alpha1SsiCluster Cluster(string name, string? home = "node1") => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = Ns },
        Spec = new SsiClusterSpec
        {
            Nodes = [new SsiNodeSpec { Name = "node1" }, new SsiNodeSpec { Name = "node2" }, new SsiNodeSpec { Name = "node3" }],
            Filesystem = new SsiFilesystemSpec { Mode = SsiFilesystemSpec.ModeCfs, Home = home },
        },
    };

    public Task CreateAsync(V1Alpha1SsiCluster cluster) =>
        Client.CustomObjects.CreateNamespacedCustomObjectAsync(cluster, SsiApiGroup.Group, SsiApiGroup.Version, Ns, V1Alpha1SsiCluster.PluralName);

    public Task CreateAsync(V1Alpha1ProcessMigration migration) =>
        Client.CustomObjects.CreateNamespacedCustomObjectAsync(migration, SsiApiGroup.Group, SsiApiGroup.Version, Ns, V1Alpha1ProcessMigration.PluralName);

    public V1Alpha1SsiCluster? GetCluster(string name) => Server.Get<V1Alpha1SsiCluster>(SsiApiGroup.Group, V1Alpha1SsiCluster.PluralName, Ns, name);

    public V1Alpha1ProcessMigration? GetMigration(string name) => Server.Get<V1Alpha1ProcessMigration>(SsiApiGroup.Group, V1Alpha1ProcessMigration.PluralName, Ns, name);

    public V1DaemonSet? GetDaemonSet(string cluster) => Server.Get<V1DaemonSet>("apps", "daemonsets", Ns, cluster + "-ssi-agent");

    /// <summary>The topology the agents of <paramref name="cluster"/> read, as the operator wrote it.</summary>
    public ClusterTopology? Topology(string cluster) =>
        Server.Get<V1ConfigMap>("", "configmaps", Ns, cluster + "-ssi-topology")?.Data is { } data && data.TryGetValue(ClusterTopology.FileName, out var text)
            ? ClusterTopology.Parse(text)
            : null;

    /// <summary>A running agent pod of <paramref name="cluster"/> on <paramref name="node"/> (what the DaemonSet controller and kubelet would make).</summary>
    public async Task CreateAgentPodAsync(string cluster, string pod, string node, string podIp)
    {
        await Client.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = pod, NamespaceProperty = Ns, Labels = new Dictionary<string, string> { ["app.kubernetes.io/name"] = "ssi-agent", ["app.kubernetes.io/instance"] = cluster } },
            Spec = new V1PodSpec { NodeName = node, Containers = [new V1Container { Name = "agent", Image = "agent" }] },
        }, Ns);
        Server.SetStatus("", "pods", Ns, pod, new JsonObject { ["podIP"] = podIp, ["phase"] = "Running" });
    }

    public bool IsReady(string cluster) =>
        GetCluster(cluster)?.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready")?.Status == "True";

    /// <summary>Operator writes (create, update, patch, delete) except the leader lease's renewals.</summary>
    public long OperatorWrites() =>
        Server.Requests.Snapshot().Where(p => p.Key.Split(' ') is [var verb, var resource] && verb is "create" or "update" or "patch" or "delete" && resource != "leases").Sum(p => p.Value);

    public static async Task Eventually(Func<bool> condition, string what, int seconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"not reached within {seconds}s: {what}");
            }

            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _operators)
        {
            await process.DisposeAsync();
        }

        Client.Dispose();
        await Server.DisposeAsync();
        if (_agents is not null)
        {
            await _agents.DisposeAsync();
        }
    }
}
