using Ssi.Agent.Migration.Landing;
using Ssi.Agent.Native.Mounts;
using Ssi.Testing;

namespace Ssi.Agent.Tests.Migration;

/// <summary>
/// Which mounts of a container come from outside it, from recorded mount tables
/// (testdata/container-mounts): a pod's container under containerd with the kubelet's binds, the
/// host's table and the agent's (a pod of its own, with the shared filesystem).
/// </summary>
public sealed class ContainerFilesystemTests
{
    private static IReadOnlyList<MountEntry> Table(string name) =>
        MountEntry.ParseAll(File.ReadLines(Path.Combine(RepositoryPaths.Root, "tests", "Ssi.Agent.Tests", "Migration", "testdata", "container-mounts", name)));

    private static HashSet<string> NodeDevices() => Table("host.mountinfo").Concat(Table("agent.mountinfo")).Select(m => m.Device).ToHashSet(StringComparer.Ordinal);

    [Fact]
    public void The_volumes_files_and_host_file_systems_bound_in_are_external_and_what_only_the_container_has_is_not()
    {
        var container = ContainerFilesystem.Describe(Table("container.mountinfo"), NodeDevices(), ownRoot: true)!;

        Assert.Equal("/", container.Root.MountPoint);
        Assert.Equal("overlay", container.Root.Type);
        Assert.Equal(
            ["/sys/fs/cgroup", "/data", "/etc/hosts", "/dev/termination-log", "/etc/hostname", "/etc/resolv.conf", "/dev/shm", "/run/ssi/bin", "/var/run/secrets/kubernetes.io/serviceaccount", "/ssi"],
            container.ExternalMountPoints);
    }

    [Fact]
    public void Binds_of_the_containers_own_root_and_its_own_file_systems_are_rebuilt_by_criu()
    {
        var external = ContainerFilesystem.Describe(Table("container.mountinfo"), NodeDevices(), ownRoot: true)!.ExternalMountPoints;

        Assert.DoesNotContain("/etc/app", external); // a bind of the container's own image
        Assert.DoesNotContain("/proc/kcore", external); // masked with a file of its own /dev
        foreach (var own in new[] { "/", "/proc", "/dev", "/dev/pts", "/dev/mqueue", "/sys" })
        {
            Assert.DoesNotContain(own, external);
        }
    }

    [Fact]
    public void A_workload_on_the_nodes_root_is_not_in_a_container()
    {
        Assert.Null(ContainerFilesystem.Describe(Table("container.mountinfo"), NodeDevices(), ownRoot: false));
    }

    [Fact]
    public void A_file_the_runtime_binds_in_is_its_own_mount_point()
    {
        var table = Table("container.mountinfo");
        var container = ContainerFilesystem.Describe(table, NodeDevices(), ownRoot: true)!;

        Assert.True(container.IsBoundFile("/etc/hosts", 1571));
        Assert.False(container.IsBoundFile("/data/app.log", 1570));
        Assert.False(container.IsBoundFile("/etc/hosts", 1563));
        Assert.Equal("/data", container.ExternalMount(1570)?.MountPoint);
        Assert.Null(container.ExternalMount(1565));
    }

    [Fact]
    public void Mountinfo_lines_are_read_with_escapes_and_optional_fields()
    {
        var entry = MountEntry.Parse(@"36 35 98:0 /mnt1 /mnt\040two rw,noatime master:1 shared:7 - ext3 /dev/root rw,errors=continue")!;

        Assert.Equal((36, 35, "98:0", "/mnt1", "/mnt two", "ext3", "/dev/root", "rw,errors=continue"), (entry.Id, entry.ParentId, entry.Device, entry.Root, entry.MountPoint, entry.Type, entry.Source, entry.SuperOptions));
        Assert.Null(MountEntry.Parse("not a mountinfo line"));
    }
}
