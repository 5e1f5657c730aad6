using Grpc.Core;
using Ssi.Agent.Migration;

namespace Ssi.Agent.Tests.Migration;

/// <summary>One coordinator at a time per attempt: the newest that called wins, steps run one after another.</summary>
public sealed class AttemptFenceTests
{
    [Fact]
    public async Task A_call_from_an_older_coordinator_is_refused_once_a_newer_one_asked()
    {
        var fence = new AttemptFence();
        Assert.Equal(1, await fence.RunAsync("a", 100, () => Task.FromResult(1), CancellationToken.None));

        Assert.False(fence.Claim("a", 200));

        var refused = await Assert.ThrowsAsync<RpcException>(() => fence.RunAsync("a", 100, () => Task.FromResult(2), CancellationToken.None));
        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.Contains("epoch 200", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(3, await fence.RunAsync("a", 200, () => Task.FromResult(3), CancellationToken.None));
        Assert.Equal(4, await fence.RunAsync("b", 100, () => Task.FromResult(4), CancellationToken.None)); // another attempt
    }

    [Fact]
    public async Task A_newer_coordinator_is_told_a_step_is_running_and_its_own_step_waits_for_it()
    {
        var fence = new AttemptFence();
        var release = new TaskCompletionSource();
        var order = new List<string>();
        var running = fence.RunAsync("a", 100, async () =>
        {
            await release.Task;
            order.Add("old step");
            return 0;
        }, CancellationToken.None);

        Assert.True(fence.Claim("a", 200));
        var next = fence.RunAsync("a", 200, () =>
        {
            order.Add("new step");
            return Task.FromResult(0);
        }, CancellationToken.None);
        await Task.Delay(50);
        Assert.Empty(order);

        release.SetResult();
        await Task.WhenAll(running, next);
        Assert.Equal(["old step", "new step"], order);
        Assert.False(fence.Claim("a", 200));
    }
}
