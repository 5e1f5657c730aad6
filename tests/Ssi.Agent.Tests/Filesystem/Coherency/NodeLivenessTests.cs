using Microsoft.Extensions.Time.Testing;
using Ssi.Agent.Filesystem.Coherency;

namespace Ssi.Agent.Tests.Filesystem.Coherency;

/// <summary>When the home takes another node for gone: after the grace period without a Watch stream, or when it comes back as a new run.</summary>
public sealed class NodeLivenessTests
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(10);
    private readonly FakeTimeProvider _time = new();
    private readonly List<int> _gone = [];
    private readonly NodeLiveness _liveness;

    public NodeLivenessTests()
    {
        _liveness = new NodeLiveness(_time, Grace);
        _liveness.Gone += (index, _) => _gone.Add(index);
    }

    [Fact]
    public void A_node_that_stays_away_past_the_grace_period_is_gone()
    {
        _liveness.Joined(2, 77);
        _liveness.Left(2);

        _time.Advance(Grace - TimeSpan.FromSeconds(1));
        Assert.Empty(_gone);
        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal([2], _gone);
    }

    [Fact]
    public void A_node_that_comes_back_in_time_as_the_same_run_keeps_everything()
    {
        _liveness.Joined(2, 77);
        _liveness.Left(2);
        _time.Advance(Grace / 2);

        _liveness.Joined(2, 77);
        _time.Advance(Grace * 2);

        Assert.Empty(_gone);
    }

    [Fact]
    public void A_node_that_comes_back_as_a_new_run_is_gone_at_once()
    {
        _liveness.Joined(2, 77);
        _liveness.Left(2);

        _liveness.Joined(2, 78);

        Assert.Equal([2], _gone);
        _time.Advance(Grace * 2);
        Assert.Equal([2], _gone);
    }

    [Fact]
    public void A_new_stream_before_the_old_one_ended_is_not_a_departure()
    {
        _liveness.Joined(3, 5);
        _liveness.Joined(3, 5); // reconnected; the old stream's end is noticed later
        _liveness.Left(3);

        _time.Advance(Grace * 2);

        Assert.Empty(_gone);
    }

    [Fact]
    public void Only_the_last_departure_counts()
    {
        _liveness.Joined(2, 1);
        _liveness.Left(2);
        _time.Advance(Grace - TimeSpan.FromSeconds(1));
        _liveness.Joined(2, 1);
        _liveness.Left(2);

        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Empty(_gone);
        _time.Advance(Grace);
        Assert.Equal([2], _gone);
    }
}
