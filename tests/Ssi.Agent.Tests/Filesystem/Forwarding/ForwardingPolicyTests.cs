using Ssi.Agent.Filesystem;
using Ssi.Agent.Filesystem.Forwarding;
using Ssi.Agent.Filesystem.Fuse;

namespace Ssi.Agent.Tests.Filesystem.Forwarding;

/// <summary>What a forwarding node does with single requests.</summary>
public sealed class ForwardingPolicyTests
{
    [Theory]
    [InlineData(0x0000u, true)]        // O_RDONLY
    [InlineData(0x8000u, true)]        // O_RDONLY | O_LARGEFILE
    [InlineData(0x4000u, true)]        // O_RDONLY | O_DIRECT
    [InlineData(0x0001u, false)]       // O_WRONLY
    [InlineData(0x0002u, false)]       // O_RDWR
    [InlineData(0x0200u, false)]       // O_RDONLY | O_TRUNC
    public void Only_read_only_opens_without_truncation_are_answered_by_the_node(uint flags, bool local)
    {
        Assert.Equal(local, ForwardingPolicy.OpensLocally(flags));
    }

    [Fact]
    public void Closing_a_shared_read_handle_stays_on_the_node_unless_it_drops_flock_locks()
    {
        Assert.True(ForwardingPolicy.ReleasesLocally(FileHandles.SharedRead, 0));
        Assert.False(ForwardingPolicy.ReleasesLocally(FileHandles.SharedRead, 1 << 1));
        Assert.False(ForwardingPolicy.ReleasesLocally(12, 0));
    }

    [Theory]
    [InlineData((uint)FuseOpcode.GetAttr, "None")]
    [InlineData((uint)FuseOpcode.Lookup, "None")]
    [InlineData((uint)FuseOpcode.SetLkW, "None")]
    [InlineData((uint)FuseOpcode.Write, "Node")]
    [InlineData((uint)FuseOpcode.Read, "Node")]
    [InlineData((uint)FuseOpcode.Create, "Node")]
    [InlineData((uint)FuseOpcode.SetXattr, "Node")]
    [InlineData((uint)FuseOpcode.Unlink, "All")]
    [InlineData((uint)FuseOpcode.Rename2, "All")]
    [InlineData((uint)FuseOpcode.Link, "All")]
    [InlineData((uint)FuseOpcode.CopyFileRange, "All")]
    public void What_a_request_may_change(uint opcode, string scope)
    {
        Assert.Equal(scope, ForwardingPolicy.Changes((FuseOpcode)opcode).ToString());
    }
}
