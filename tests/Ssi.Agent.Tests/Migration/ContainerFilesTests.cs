using Ssi.Agent.Migration.Landing;
using Ssi.Agent.Migration.Planning;
using Ssi.Agent.Native.Mounts;

namespace Ssi.Agent.Tests.Migration;

public sealed class ContainerFilesTests
{
    private static readonly MountEntry Root = new(10, 1, "0:151", "/", "/", "overlay", "overlay", "rw,lowerdir=/l,upperdir=/u,workdir=/w");
    private static readonly MountEntry Data = new(11, 10, "253:1", "/var/lib/kubelet/pods/p/volumes/kubernetes.io~empty-dir/data", "/data", "ext4", "/dev/vda1", "rw");
    private static readonly MountEntry Hosts = new(12, 10, "253:1", "/var/lib/kubelet/pods/p/etc-hosts", "/etc/hosts", "ext4", "/dev/vda1", "rw");
    private static readonly ContainerFilesystem Container = new(Root, [Data, Hosts]);
    private static readonly WritableLayer Layer = new("/u", ["/l"]);

    private static PlannedFd File(string path, int mountId, int flags = 0, uint type = OpenDescriptor.S_IFREG) =>
        new(new OpenDescriptor(100, 2, 3, path, flags, 0, type | 0x1a4, 0, 0, 1, mountId), type == OpenDescriptor.S_IFDIR ? DescriptorKinds.Directory : DescriptorKinds.File, DescriptorKinds.Reopen, "not on the shared filesystem");

    private static PlannedFd Refine(PlannedFd fd, params string[] layerPaths) => ContainerFiles.Refine(fd, Container, Layer, p => layerPaths.Contains(p, StringComparer.Ordinal));

    [Fact]
    public void A_file_on_a_volume_is_reopened_on_the_landing_containers_volume()
    {
        var fd = Refine(File("/data/app.log", 11, flags: 1));

        Assert.Equal(DescriptorKinds.Reopen, fd.Action);
        Assert.Contains("landing container's mount there", fd.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_of_the_image_is_reopened_from_the_landing_containers_image()
    {
        var fd = Refine(File("/app/image.txt", 10), "/l/app/image.txt");

        Assert.Equal(DescriptorKinds.Reopen, fd.Action);
        Assert.Contains("image", fd.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_the_container_wrote_blocks_with_the_reason()
    {
        var fd = Refine(File("/var/log/app.log", 10, flags: 1), "/u/var/log/app.log");

        Assert.True(fd.IsBlocker);
        Assert.Contains("writable layer", fd.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_read_only_etc_hosts_becomes_the_landing_pods_own_and_a_writable_one_must_match()
    {
        Assert.Contains("landing pod's own", Refine(File("/etc/hosts", 12)).Reason, StringComparison.Ordinal);
        Assert.Contains("same size", Refine(File("/etc/hosts", 12, flags: 2)).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Deleted_files_other_kinds_and_files_of_the_containers_own_file_systems_keep_their_plan_or_say_so()
    {
        var deleted = File("/var/tmp/x (deleted)", 10);
        Assert.Same(deleted, Refine(deleted, "/u/var/tmp/x"));
        var pipe = new PlannedFd(new OpenDescriptor(100, 2, 4, "pipe:[5]", 0, 0, OpenDescriptor.S_IFIFO, 0, 0, 5), DescriptorKinds.Pipe, DescriptorKinds.Recreate, "both ends");
        Assert.Same(pipe, Refine(pipe));
        Assert.Contains("rebuilt by criu", Refine(File("/dev/shm/x", 20)).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_directory_made_in_the_writable_layer_blocks_and_one_of_the_image_does_not()
    {
        Assert.True(Refine(File("/work", 10, type: OpenDescriptor.S_IFDIR), "/u/work").IsBlocker);
        Assert.False(Refine(File("/etc", 10, type: OpenDescriptor.S_IFDIR), "/u/etc", "/l/etc").IsBlocker);
    }
}
