using Ssi.Agent.Filesystem.Passthrough;
using Ssi.Agent.Native;

namespace Ssi.Agent.Tests.Filesystem.Passthrough;

/// <summary>How opens of one inode on the home and on other nodes are given passthrough, direct I/O or the page cache.</summary>
public sealed class OpenModeTrackerTests
{
    private const int Home = 0;
    private const int Node2 = 1;
    private const ulong File = 10;
    private readonly OpenModeTracker _opens = new();
    private int _backings;
    private int _nextHandle = 100;

    private OpenDecision Open(int origin, bool passthrough = true, ulong node = File) =>
        _opens.Open(node, (ulong)_nextHandle++, origin, origin == Home, passthrough, () => ++_backings);

    [Fact]
    public void A_home_open_of_a_file_no_other_node_has_open_passes_through()
    {
        var decision = Open(Home);

        Assert.Equal(new OpenDecision(OpenMode.Passthrough, 1, StartedPassthrough: true), decision);
        Assert.True(_opens.AttributesVolatile(File));
    }

    [Fact]
    public void Every_home_open_of_a_passthrough_inode_shares_its_one_backing_file()
    {
        Open(Home);

        var second = Open(Home);

        Assert.Equal(new OpenDecision(OpenMode.Passthrough, 1, StartedPassthrough: false), second);
        Assert.Equal(1, _backings);
    }

    [Fact]
    public void Another_node_opening_a_file_the_home_passes_through_gets_direct_io()
    {
        Open(Home);

        Assert.Equal(OpenMode.DirectIo, Open(Node2).Mode);
    }

    [Fact]
    public void The_home_opens_a_file_another_node_has_open_through_its_cache()
    {
        Open(Node2);

        Assert.Equal(new OpenDecision(OpenMode.Cached, 0, false), Open(Home));
        Assert.False(_opens.AttributesVolatile(File));
    }

    [Fact]
    public void A_cached_open_on_the_home_keeps_later_home_opens_cached()
    {
        Open(Node2);
        Open(Home);
        _opens.Release(100); // node2's

        Assert.Equal(OpenMode.Cached, Open(Home).Mode);
    }

    [Fact]
    public void The_last_passthrough_release_returns_the_backing_id_and_the_next_open_starts_again()
    {
        Open(Home);
        Open(Home);

        Assert.Equal(0, _opens.Release(100));
        Assert.Equal(1, _opens.Release(101));
        Assert.False(_opens.AttributesVolatile(File));
        Assert.Equal(new OpenDecision(OpenMode.Passthrough, 2, true), Open(Home));
    }

    [Fact]
    public void After_the_home_closes_other_nodes_open_cached_again()
    {
        Open(Home);
        Open(Node2); // direct
        _opens.Release(100);

        Assert.Equal(OpenMode.Cached, Open(Node2).Mode);
        Assert.Equal(OpenMode.Cached, Open(Home).Mode); // node2 still has the file open
    }

    [Fact]
    public void Without_passthrough_the_home_opens_cached()
    {
        Assert.Equal(OpenMode.Cached, Open(Home, passthrough: false).Mode);
        Assert.Equal(OpenMode.Cached, Open(Node2).Mode);
    }

    [Fact]
    public void A_refused_backing_file_leaves_the_open_cached()
    {
        var decision = _opens.Open(File, 1, Home, fromHome: true, passthroughAllowed: true, () => throw new NativeException("ioctl", 1));

        Assert.Equal(new OpenDecision(OpenMode.Cached, 0, false), decision);
        Assert.Equal(OpenMode.Cached, Open(Home).Mode);
    }

    [Fact]
    public void Files_are_tracked_apart()
    {
        Open(Node2, node: File);

        Assert.Equal(OpenMode.Passthrough, Open(Home, node: File + 1).Mode);
    }

    [Fact]
    public void A_restarted_node_s_opens_are_dropped_and_returned_for_closing()
    {
        Open(Node2);
        Open(Node2, node: File + 1);
        Open(Home, node: File + 2);

        var dropped = _opens.DropNode(Node2);

        Assert.Equal([(File, 100UL), (File + 1, 101UL)], dropped.Order());
        Assert.Equal(OpenMode.Passthrough, Open(Home).Mode);
    }

    [Fact]
    public void A_file_another_node_reports_open_is_not_passed_through_until_that_node_releases_it()
    {
        _opens.Reported(File, 7, Node2);
        _opens.Reported(File, 7, Node2); // reported again on a reconnection: still one open

        Assert.Equal(OpenMode.Cached, Open(Home).Mode);
        _opens.Release(100);
        _opens.Release(7);
        Assert.Equal(OpenMode.Passthrough, Open(Home).Mode);
    }
}
