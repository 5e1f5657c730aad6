using Grpc.Core;
using Ssi.Agent.Contracts.V1;
using Ssi.Agent.Migration;
using MigrationClient = Ssi.Agent.Contracts.V1.Migration.MigrationClient;

namespace Ssi.Agent.Tests.Migration;

/// <summary>What a coordinator that took over asks an agent about an attempt, over the real gRPC service.</summary>
public sealed class AttemptQueryTests
{
    [Fact]
    public async Task An_unknown_attempt_is_NotFound_with_the_node_named_and_undoing_it_is_harmless()
    {
        await using var agent = await InProcessAgent.StartAsync("node4");
        using var channel = agent.Channel("node4");
        var client = new MigrationClient(channel);
        var attempt = new AttemptRequest { AttemptId = "never-seen" };

        var e = await Assert.ThrowsAsync<RpcException>(async () => await client.GetAttemptAsync(attempt));
        Assert.Equal(StatusCode.NotFound, e.StatusCode);
        Assert.Contains("never-seen", e.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("node4", e.Status.Detail, StringComparison.Ordinal);

        await client.RollbackAsync(attempt);
        await client.AbortAsync(attempt);
        Assert.Equal(StatusCode.NotFound, (await Assert.ThrowsAsync<RpcException>(async () => await client.GetAttemptAsync(attempt))).StatusCode);
        Assert.Equal(StatusCode.NotFound, (await Assert.ThrowsAsync<RpcException>(async () => await client.CommitAsync(attempt))).StatusCode);
    }

    [Fact]
    public async Task An_attempt_without_an_id_is_refused()
    {
        await using var agent = await InProcessAgent.StartAsync();
        using var channel = agent.Channel();

        var e = await Assert.ThrowsAsync<RpcException>(async () => await new MigrationClient(channel).GetAttemptAsync(new AttemptRequest()));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
    }

    [Fact]
    public async Task A_finished_attempt_is_reported_and_repeating_its_last_step_is_accepted()
    {
        await using var agent = await InProcessAgent.StartAsync();
        using var channel = agent.Channel();
        var client = new MigrationClient(channel);
        var journal = agent.Service<AttemptJournal>();
        journal.Record("moved", AttemptState.Committed, hostPid: 321, frozenAtUnixMs: 99);
        journal.Record("landed", AttemptState.Resumed, hostPid: 654);

        var moved = await client.GetAttemptAsync(new AttemptRequest { AttemptId = "moved" });

        Assert.Equal((AttemptState.Committed, 321, 99L), (moved.State, moved.HostPid, moved.FrozenAtUnixMs));
        Assert.Equal("committed", (await client.CommitAsync(new AttemptRequest { AttemptId = "moved" })).Message);
        Assert.Equal("resumed", (await client.ResumeAsync(new AttemptRequest { AttemptId = "landed" })).Message);
    }
}
