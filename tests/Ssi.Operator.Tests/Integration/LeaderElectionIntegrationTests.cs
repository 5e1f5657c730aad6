using k8s.Models;

namespace Ssi.Operator.Tests.Integration;

public sealed class LeaderElectionIntegrationTests : IAsyncLifetime
{
    private OperatorScenario _s = null!;

    public async Task InitializeAsync() => _s = await OperatorScenario.StartAsync();

    public async Task DisposeAsync() => await _s.DisposeAsync();

    private string? Holder() => _s.Server.Get<V1Lease>("coordination.k8s.io", "leases", "ssi-system", "ssi-operator-leader")?.Spec?.HolderIdentity;

    [Fact]
    public async Task Two_replicas_elect_one_leader_and_the_other_takes_over_when_it_stops()
    {
        var a = await _s.StartOperatorAsync("operator-a");
        var b = await _s.StartOperatorAsync("operator-b");

        await OperatorScenario.Eventually(() => a.IsLeader || b.IsLeader, "a leader");
        var (leader, standby) = a.IsLeader ? (a, b) : (b, a);
        await _s.CreateAsync(OperatorScenario.Cluster("first"));
        await OperatorScenario.Eventually(() => _s.IsReady("first"), "first Ready");
        Assert.False(standby.IsLeader);
        Assert.Equal(leader.Identity, Holder());
        Assert.False(standby.Started.IsCompleted);

        await leader.StopAsync();

        await OperatorScenario.Eventually(() => standby.IsLeader, "failover");
        Assert.Equal(standby.Identity, Holder());
        await _s.CreateAsync(OperatorScenario.Cluster("second"));
        await OperatorScenario.Eventually(() => _s.IsReady("second"), "second Ready under the new leader");
    }
}
