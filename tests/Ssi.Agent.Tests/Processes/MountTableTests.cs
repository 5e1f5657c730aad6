using Ssi.Agent.Native.Mounts;

namespace Ssi.Agent.Tests.Processes;

/// <summary>Reading /proc/self/mountinfo lines: what a workload's init hides of the node's mounts.</summary>
public sealed class MountTableTests
{
    [Fact]
    public void Mount_point_and_type_come_from_their_fields_with_octal_escapes_undone()
    {
        const string Ns = "842 801 0:4 net:[4026532615] /run/netns/ssi.demo.node1 rw - nsfs nsfs rw";
        const string Spaced = "91 29 0:52 / /mnt/my\\040disk rw,relatime shared:40 - ext4 /dev/vdb1 rw";

        Assert.Equal(("/run/netns/ssi.demo.node1", "nsfs"), (MountTable.MountPointOf(Ns), MountTable.FileSystemTypeOf(Ns)));
        Assert.Equal(("/mnt/my disk", "ext4"), (MountTable.MountPointOf(Spaced), MountTable.FileSystemTypeOf(Spaced)));
        Assert.Null(MountTable.FileSystemTypeOf("garbage"));
    }
}
