using Ssi.Orchestration.Migration;

namespace Ssi.Orchestration.Tests.Migration;

public sealed class FreezeCallWarmupTests
{
    [Fact]
    public async Task Every_call_of_the_freeze_goes_through_the_in_memory_channel_without_an_error() =>
        await FreezeCallWarmup.CallEachAsync(); // a call that failed would throw RpcException

    [Fact]
    public async Task It_runs_once_per_process()
    {
        var first = FreezeCallWarmup.RunOnceAsync();
        await first;

        Assert.Same(first, FreezeCallWarmup.RunOnceAsync());
    }
}
