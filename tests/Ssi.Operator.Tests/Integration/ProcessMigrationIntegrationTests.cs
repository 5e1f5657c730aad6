using k8s.Models;
using Ssi.Api.V1Alpha1;
using Ssi.Operator.ProcessMigrations;

namespace Ssi.Operator.Tests.Integration;

public sealed class ProcessMigrationIntegrationTests : IAsyncLifetime
{
    private OperatorScenario _s = null!;

    public async Task InitializeAsync() => _s = await OperatorScenario.StartAsync();

    public async Task DisposeAsync() => await _s.DisposeAsync();

    private static V1Alpha1ProcessMigration Migration(string name, string target, bool dryRun = false) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = OperatorScenario.Ns },
        Spec = new ProcessMigrationSpec { Cluster = "demo", ClusterPid = 65537, TargetNode = target, DryRun = dryRun },
    };

    [Fact]
    public async Task A_migration_to_a_node_outside_the_cluster_fails_as_an_invalid_spec()
    {
        await _s.StartOperatorAsync();
        await _s.CreateAsync(OperatorScenario.Cluster("demo"));
        await OperatorScenario.Eventually(() => _s.IsReady("demo"), "demo Ready");

        await _s.CreateAsync(Migration("bad", "node9"));

        await OperatorScenario.Eventually(() => _s.GetMigration("bad")?.Status?.Phase == "Failed", "Failed");
        var succeeded = Assert.Single(_s.GetMigration("bad")!.Status!.Conditions!);
        Assert.Equal(("Succeeded", "False", "InvalidSpec"), (succeeded.Type, succeeded.Status, succeeded.Reason));
        Assert.Contains("node9", succeeded.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_migration_waits_for_its_cluster_then_reports_that_no_coordinator_is_built_in()
    {
        await _s.StartOperatorAsync();
        await _s.CreateAsync(Migration("move", "node2", dryRun: true));
        await OperatorScenario.Eventually(() => _s.GetMigration("move")?.Status?.Phase == "Failed", "Failed: no such cluster yet");

        await _s.CreateAsync(OperatorScenario.Cluster("demo"));
        await _s.CreateAsync(Migration("move2", "node2", dryRun: true));

        await OperatorScenario.Eventually(() => _s.GetMigration("move2")?.Status?.Phase == "Failed", "Failed");
        var status = _s.GetMigration("move2")!.Status!;
        Assert.Equal(CoordinatorUnavailableDriver.Reason, status.Message);
        Assert.NotNull(status.AttemptId);
        Assert.Equal("node2", status.TargetNode);
    }
}
