using Microsoft.Extensions.Time.Testing;
using Ssi.Controller.Runtime.Queue;

namespace Ssi.Operator.Tests.Runtime;

public sealed class WorkQueueTests
{
    private readonly FakeTimeProvider _time = new();

    private static async Task<string?> Next(WorkQueue<string> queue)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await queue.GetAsync(timeout.Token);
    }

    [Fact]
    public async Task A_key_added_twice_is_queued_once()
    {
        using var queue = new WorkQueue<string>(_time);

        queue.Add("a");
        queue.Add("a");
        queue.Add("b");

        Assert.Equal(2, queue.Count);
        Assert.Equal("a", await Next(queue));
        Assert.Equal("b", await Next(queue));
    }

    [Fact]
    public async Task A_key_added_while_in_process_is_queued_again_when_done()
    {
        using var queue = new WorkQueue<string>(_time);
        queue.Add("a");
        var key = await Next(queue);

        queue.Add("a");
        Assert.Equal(0, queue.Count);
        queue.Done(key!);

        Assert.Equal(1, queue.Count);
    }

    [Fact]
    public void Failures_back_off_exponentially_per_key_up_to_the_maximum_and_forget_resets()
    {
        using var queue = new WorkQueue<string>(_time, new WorkQueueOptions { BaseDelay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromSeconds(10) });

        var delays = Enumerable.Range(0, 6).Select(_ => queue.AddRateLimited("a")).ToList();
        var other = queue.AddRateLimited("b");
        queue.Forget("a");

        Assert.Equal([1, 2, 4, 8, 10, 10], delays.Select(d => d.TotalSeconds));
        Assert.Equal(TimeSpan.FromSeconds(1), other);
        Assert.Equal(TimeSpan.FromSeconds(1), queue.AddRateLimited("a"));
    }

    [Fact]
    public void A_delayed_key_is_queued_when_its_time_comes()
    {
        using var queue = new WorkQueue<string>(_time);

        queue.AddAfter("a", TimeSpan.FromSeconds(5));
        _time.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal(0, queue.Count);
        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(1, queue.Count);
    }

    [Fact]
    public void Of_two_delayed_adds_the_earlier_wins()
    {
        using var queue = new WorkQueue<string>(_time);

        queue.AddAfter("a", TimeSpan.FromSeconds(10));
        queue.AddAfter("a", TimeSpan.FromSeconds(2));
        _time.Advance(TimeSpan.FromSeconds(2));

        Assert.Equal(1, queue.Count);
        Assert.Equal(0, queue.DelayedCount);
    }

    [Fact]
    public async Task Shut_down_releases_waiting_workers()
    {
        using var queue = new WorkQueue<string>(_time);
        var waiting = queue.GetAsync(CancellationToken.None);

        queue.ShutDown();

        Assert.Null(await waiting.WaitAsync(TimeSpan.FromSeconds(10)));
    }
}
