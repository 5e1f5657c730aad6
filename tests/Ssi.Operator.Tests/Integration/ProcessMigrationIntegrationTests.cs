using k8s;
using k8s.Models;
using Ssi.Api.V1Alpha1;

namespace Ssi.Operator.Tests.Integration;

/// <summary>ProcessMigration through the operator host; the coordinator's side is played by <see cref="FakeMigrationDriver"/>.</summary>
public sealed class ProcessMigrationIntegrationTests : IAsyncLifetime
{
    private OperatorScenario _s = null!;

    public async Task InitializeAsync() => _s = await OperatorScenario.StartAsync();

    public async Task DisposeAsync() => await _s.DisposeAsync();

    private string? Phase(string name) => _s.GetMigration(name)?.Status?.Phase;

    [Fact]
    public async Task A_migration_succeeds_with_every_phase_written_before_its_step()
    {
        await _s.ReadyClusterAsync();

        await _s.CreateAsync(OperatorScenario.Migration("move", "node2"));

        await OperatorScenario.Eventually(() => Phase("move") == "Succeeded", "Succeeded");
        var status = _s.GetMigration("move")!.Status!;
        Assert.Equal(("node1", "node2", "stop-copy"), (status.SourceNode, status.TargetNode, status.Mode));
        Assert.Equal(42, status.FreezeMs);
        Assert.Equal(4_194_304, status.BytesTransferred);
        Assert.Equal(2, status.Plan!.Count);
        Assert.NotNull(status.AttemptId);
        Assert.NotNull(status.CompletionTime);
        var succeeded = Assert.Single(status.Conditions!);
        Assert.Equal(("Succeeded", "True"), (succeeded.Type, succeeded.Status));
        Assert.All(_s.Migrations.Journal, j => Assert.Equal(j.Reported, j.Stored));
        Assert.Equal(["Planning", "Checkpointing", "Restoring", "Committing", "Resuming"], _s.Migrations.Journal.Select(j => j.Reported));
    }

    [Fact]
    public async Task A_migration_whose_target_agent_dies_mid_way_is_rolled_back_and_the_process_keeps_one_copy()
    {
        await _s.ReadyClusterAsync();
        _s.Migrations.DyingTargets["node3"] = true;

        await _s.CreateAsync(OperatorScenario.Migration("doomed", "node3"));

        await OperatorScenario.Eventually(() => Phase("doomed") == "RolledBack", "RolledBack");
        var status = _s.GetMigration("doomed")!.Status!;
        Assert.Equal("False", status.Conditions!.Single().Status);
        Assert.Contains("runs on node1 as before", status.Message, StringComparison.Ordinal);
        Assert.Equal("node1", Assert.Single(_s.Migrations.Copies).Value);
    }

    [Fact]
    public async Task A_dry_run_only_plans()
    {
        await _s.ReadyClusterAsync();

        await _s.CreateAsync(OperatorScenario.Migration("plan", "node2", dryRun: true));

        await OperatorScenario.Eventually(() => Phase("plan") == "Planned", "Planned");
        Assert.Equal(2, _s.GetMigration("plan")!.Status!.Plan!.Count);
        Assert.DoesNotContain(_s.Migrations.Journal, j => j.Reported == "Checkpointing");
        Assert.Equal("node1", _s.Migrations.Copies[65537]);
    }

    [Fact]
    public async Task A_migration_to_a_node_outside_the_cluster_fails_as_an_invalid_spec()
    {
        await _s.ReadyClusterAsync();

        await _s.CreateAsync(OperatorScenario.Migration("bad", "node9"));

        await OperatorScenario.Eventually(() => Phase("bad") == "Failed", "Failed");
        var succeeded = Assert.Single(_s.GetMigration("bad")!.Status!.Conditions!);
        Assert.Equal(("Succeeded", "False", "InvalidSpec"), (succeeded.Type, succeeded.Status, succeeded.Reason));
        Assert.Contains("node9", succeeded.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_migration_applied_before_its_cluster_waits_Pending_for_it_and_then_runs()
    {
        await _s.StartOperatorAsync();
        await _s.CreateAsync(OperatorScenario.Migration("early", "node2"));
        await OperatorScenario.Eventually(() => Phase("early") == "Pending", "Pending");
        Assert.Contains("there is none", _s.GetMigration("early")!.Status!.Message, StringComparison.Ordinal);

        await _s.CreateAsync(OperatorScenario.Cluster("demo"));

        await OperatorScenario.Eventually(() => Phase("early") == "Succeeded", "Succeeded once the cluster exists and is Ready");
    }

    [Fact]
    public async Task A_migration_waits_Pending_until_its_cluster_is_Ready()
    {
        await _s.StartOperatorAsync();
        _s.Fleet.Down["node1"] = true;
        await _s.CreateAsync(OperatorScenario.Cluster("demo"));
        await _s.CreateAsync(OperatorScenario.Migration("later", "node2"));
        await OperatorScenario.Eventually(() => Phase("later") == "Pending", "Pending");

        _s.Fleet.Down.TryRemove("node1", out _);

        await OperatorScenario.Eventually(() => Phase("later") == "Succeeded", "Succeeded once the cluster is Ready");
    }
}
