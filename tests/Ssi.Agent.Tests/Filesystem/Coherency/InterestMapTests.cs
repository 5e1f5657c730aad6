using Ssi.Agent.Filesystem.Coherency;

namespace Ssi.Agent.Tests.Filesystem.Coherency;

/// <summary>Which nodes may cache a node id: counted by lookups, taken back by FORGET.</summary>
public sealed class InterestMapTests
{
    private readonly InterestMap _interest = new();

    [Fact]
    public void A_node_holds_an_id_until_it_forgot_every_lookup()
    {
        _interest.Looked(5, 2);
        _interest.Looked(5, 2);
        _interest.Looked(5, 3);

        _interest.Forget(5, 2, 1);
        Assert.Equal(0b1100UL, _interest.Holders(5));
        _interest.Forget(5, 2, 1);

        Assert.Equal(0b1000UL, _interest.Holders(5));
        Assert.Equal([5UL], _interest.HeldBy(3));
        Assert.Empty(_interest.HeldBy(2));
    }

    [Fact]
    public void The_map_shrinks_when_every_node_forgot()
    {
        _interest.Looked(5, 2);
        _interest.Looked(6, 2);

        _interest.Forget(5, 2, 1);
        _interest.Forget(6, 2, 7);

        Assert.Equal(0, _interest.Count);
    }

    [Fact]
    public void A_request_about_a_forgotten_id_marks_it_held_again()
    {
        _interest.Looked(5, 2);
        _interest.Forget(5, 2, 1);

        _interest.Touched(5, 2);
        _interest.Touched(5, 2);

        Assert.Equal(0b100UL, _interest.Holders(5));
        _interest.Forget(5, 2, 1);
        Assert.Equal(0UL, _interest.Holders(5));
    }

    [Fact]
    public void A_report_never_lowers_a_count()
    {
        _interest.Looked(5, 2);
        _interest.Looked(5, 2);

        _interest.Reported(5, 2, 1);
        _interest.Forget(5, 2, 1);

        Assert.Equal(0b100UL, _interest.Holders(5));
    }

    [Fact]
    public void A_node_whose_mount_is_gone_holds_nothing()
    {
        _interest.Looked(5, 2);
        _interest.Looked(6, 2);
        _interest.Looked(6, 3);

        _interest.DropNode(2);

        Assert.Equal(0UL, _interest.Holders(5));
        Assert.Equal(0b1000UL, _interest.Holders(6));
    }
}
