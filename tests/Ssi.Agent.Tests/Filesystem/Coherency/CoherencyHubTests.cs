using Microsoft.Extensions.Logging.Abstractions;
using Ssi.Agent.Filesystem.Coherency;

namespace Ssi.Agent.Tests.Filesystem.Coherency;

/// <summary>The home's side of coherency: who must hear of a change.</summary>
public sealed class CoherencyHubTests
{
    private readonly CoherencyHub _hub = new(NullLogger<CoherencyHub>.Instance, new NodeLiveness(TimeProvider.System, TimeSpan.FromSeconds(10)));

    [Fact]
    public void A_change_only_its_author_holds_has_nobody_to_tell()
    {
        _hub.AttachHome(0, null);
        _hub.Interest.Looked(5, 2);

        Assert.False(_hub.HeldElsewhere(2, [CacheInvalidation.Entry(5, "a"u8), CacheInvalidation.Inode(5)]));
        Assert.False(_hub.HeldElsewhere(2, [CacheInvalidation.Inode(9)]));
    }

    [Fact]
    public void A_change_another_node_or_the_home_holds_must_be_delivered()
    {
        _hub.AttachHome(0, null);
        _hub.Interest.Looked(5, 2);
        _hub.Interest.Looked(6, 3);
        _hub.Interest.Looked(7, 0);

        Assert.True(_hub.HeldElsewhere(2, [CacheInvalidation.Inode(5), CacheInvalidation.Inode(6)]));
        Assert.True(_hub.HeldElsewhere(2, [CacheInvalidation.Inode(7)]));
    }
}
