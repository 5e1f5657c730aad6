using Ssi.Agent.Filesystem.Forwarding;
using Ssi.Agent.Filesystem.Fuse;

namespace Ssi.Agent.Tests.Filesystem.Forwarding;

/// <summary>The forwarding node's table of requests waiting for the home.</summary>
public sealed class PendingRequestsTests
{
    private static PendingRequest Sent(int generation, long deadline = long.MaxValue) => new(FuseOpcode.GetAttr, 1, deadline, generation, 0, null);

    private static PendingRequest Unsent(long deadline = long.MaxValue) => new(FuseOpcode.Lookup, 1, deadline, 0, 0, [1, 2, 3]);

    [Fact]
    public void A_request_is_taken_once()
    {
        var pending = new PendingRequests();
        pending.Add(10, Sent(1));

        Assert.True(pending.TryTake(10, out var request));
        Assert.Equal(FuseOpcode.GetAttr, request.Opcode);
        Assert.False(pending.TryTake(10, out _));
        Assert.Equal(0, pending.Count);
    }

    [Fact]
    public void Requests_past_their_deadline_are_taken_and_the_others_stay()
    {
        var pending = new PendingRequests();
        pending.Add(2, Sent(1, deadline: 100));
        pending.Add(4, Sent(1, deadline: 200));
        pending.Add(6, Sent(1));

        Assert.Equal([2UL], pending.TakeExpired(150));
        Assert.Equal([4UL], pending.TakeExpired(200));
        Assert.Empty(pending.TakeExpired(long.MaxValue - 1));
        Assert.True(pending.Contains(6));
    }

    [Fact]
    public void A_broken_link_takes_what_was_sent_on_it_and_leaves_what_waits_for_the_next()
    {
        var pending = new PendingRequests();
        pending.Add(2, Sent(1));
        pending.Add(4, Sent(2));
        pending.Add(6, Unsent());

        Assert.Equal([2UL], pending.TakeSentOn(1));
        Assert.True(pending.Contains(4));
        Assert.True(pending.Contains(6));
    }

    [Fact]
    public void Waiting_requests_leave_in_the_kernel_order_and_then_count_as_sent()
    {
        var pending = new PendingRequests();
        pending.Add(8, Unsent() with { Unsent = [8] });
        pending.Add(4, Unsent() with { Unsent = [4] });
        pending.Add(6, Sent(1));

        var sent = pending.SendUnsent(3);

        Assert.Equal([[4], [8]], sent);
        Assert.Empty(pending.TakeUnsent());
        Assert.Equal([4UL, 8UL], pending.TakeSentOn(3).Order());
    }

    [Fact]
    public void Requests_that_could_not_be_sent_are_taken_together()
    {
        var pending = new PendingRequests();
        pending.Add(2, Unsent());
        pending.Add(4, Sent(1));

        Assert.Equal([2UL], pending.TakeUnsent());
        Assert.True(pending.Contains(4));
    }

    [Fact]
    public void A_lock_wait_has_no_deadline_and_everything_else_the_timeout()
    {
        var timeout = TimeSpan.FromSeconds(5);

        Assert.Null(ForwardingPolicy.Deadline(FuseOpcode.SetLkW, timeout));
        Assert.Equal(timeout, ForwardingPolicy.Deadline(FuseOpcode.Lookup, timeout));
        Assert.Equal(timeout, ForwardingPolicy.Deadline(FuseOpcode.Write, timeout));
    }

    [Fact]
    public void An_interrupt_meets_a_lock_wait_only_once_it_was_sent()
    {
        var pending = new PendingRequests();
        pending.Add(2, new PendingRequest(FuseOpcode.SetLkW, 1, long.MaxValue, 1, 0, null));
        pending.Add(4, new PendingRequest(FuseOpcode.SetLkW, 1, long.MaxValue, 0, 0, [1]));
        pending.Add(6, Sent(1));

        Assert.Equal(PendingState.WaitingForLock, pending.StateOf(2));
        Assert.Equal(PendingState.Unknown, pending.StateOf(4)); // the kernel asks again
        Assert.Equal(PendingState.Pending, pending.StateOf(6));
        Assert.Equal(PendingState.Unknown, pending.StateOf(8));
    }
}
