using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Ssi.Agent.Contracts.V1;
using Ssi.Api.V1Alpha1;
using Ssi.Operator.Tests.ProcessMigrations;

namespace Ssi.Operator.Tests.Integration;

/// <summary>
/// A process that lives in a pod moves through the operator and the real coordinator
/// (<see cref="FakeMigrationAgents"/> report the pod from their Plan): a landing pod appears on the
/// target node, the test plays its kubelet, the target's Restore is told its container; the pod
/// stays after a success and goes after a rollback.
/// </summary>
public sealed class LandingPodIntegrationTests : IAsyncLifetime
{
    private const string AppNs = "shop";
    private const string SourceContainerId = "8f1e2d3c4b5a69788f1e2d3c4b5a69788f1e2d3c4b5a69788f1e2d3c4b5a6978";
    private const string LandingContainerId = "3c4b5a69788f1e2d3c4b5a69788f1e2d3c4b5a69788f1e2d3c4b5a69788f1e2d";
    private OperatorScenario _s = null!;

    private FakeMigrationAgents Agents => _s.Agents;

    public async Task InitializeAsync() => _s = await OperatorScenario.StartAsync(withAgents: true);

    public async Task DisposeAsync() => await _s.DisposeAsync();

    private V1Pod? LandingPod => _s.Server.Get<V1Pod>("", "pods", AppNs, "move-landing");

    private ProcessMigrationStatus? Status => _s.GetMigration("move")?.Status;

    /// <summary>The workload's pod on node1 (its container running), the cluster Ready, the migration to node2 created, and a kubelet on node2 that starts the landing pod.</summary>
    private async Task<Task> MoveAsync()
    {
        var source = LandingPodDesiredStateTests.SourcePod(AppNs);
        source.Metadata.Uid = null;
        var created = await _s.Client.CoreV1.CreateNamespacedPodAsync(source, AppNs);
        _s.Server.SetStatus("", "pods", AppNs, "web-0", Running("web", SourceContainerId));
        Agents.WorkloadPod = new PodContainer { PodUid = created.Metadata.Uid, ContainerId = SourceContainerId };

        await _s.ReadyClusterAsync(Agents);
        await _s.CreateAsync(OperatorScenario.Migration("move", "node2"));
        return Task.Run(async () =>
        {
            await OperatorScenario.Eventually(() => LandingPod is not null, "the landing pod is created");
            _s.Server.SetStatus("", "pods", AppNs, "move-landing", Running("web", LandingContainerId));
        });
    }

    private static JsonObject Running(string container, string id) => new()
    {
        ["phase"] = "Running",
        ["containerStatuses"] = new JsonArray(new JsonObject
        {
            ["name"] = container,
            ["containerID"] = "containerd://" + id,
            ["ready"] = true,
            ["restartCount"] = 0,
            ["image"] = "registry.example/web:1.4",
            ["imageID"] = "",
            ["state"] = new JsonObject { ["running"] = new JsonObject { ["startedAt"] = "2026-11-25T09:00:00Z" } },
        }),
    };

    [Fact]
    public async Task A_process_in_a_pod_lands_in_a_landing_pod_on_the_target_that_stays_after_the_move()
    {
        var kubelet = await MoveAsync();

        await OperatorScenario.Eventually(() => Status?.Phase == "Succeeded", "Succeeded");
        await kubelet;
        var pod = LandingPod!;
        Assert.Equal(("node2", "registry.example/web:1.4"), (pod.Spec.NodeName, pod.Spec.Containers.Single().Image));
        Assert.Equal(_s.GetMigration("move")!.Metadata.Uid, pod.Metadata.Labels["ssi.io/process-migration-uid"]);
        Assert.Equal(LandingContainerId, Assert.Single(Agents.Landings)!.ContainerId);
        Assert.Equal([KeyValuePair.Create("node2", true)], Agents.Copies.ToArray());
    }

    [Fact]
    public async Task The_landing_pod_of_an_attempt_that_is_rolled_back_is_deleted()
    {
        Agents.FailRestore = true;
        var kubelet = await MoveAsync();

        await OperatorScenario.Eventually(() => Status?.Phase == "RolledBack", "RolledBack");
        await kubelet;
        Assert.Null(LandingPod);
        Assert.Equal(LandingContainerId, Assert.Single(Agents.Landings)!.ContainerId);
        Assert.Equal([KeyValuePair.Create("node1", true)], Agents.Copies.ToArray());
        Assert.NotNull(_s.Server.Get<V1Pod>("", "pods", AppNs, "web-0"));
    }

    [Fact]
    public async Task A_process_outside_any_pod_lands_in_the_target_nodes_namespaces_without_a_pod()
    {
        await _s.ReadyClusterAsync(Agents);

        await _s.CreateAsync(OperatorScenario.Migration("move", "node2"));

        await OperatorScenario.Eventually(() => Status?.Phase == "Succeeded", "Succeeded");
        Assert.Null(Assert.Single(Agents.Landings));
        Assert.DoesNotContain(_s.Server.List("", "pods"), p => p["metadata"]?["labels"]?["ssi.io/process-migration"] is not null);
    }
}
