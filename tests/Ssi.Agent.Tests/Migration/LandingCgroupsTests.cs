using Ssi.Agent.Migration.Landing;

namespace Ssi.Agent.Tests.Migration;

/// <summary>Which cgroup.procs files put a restored tree beside its placeholder, from recorded /proc/PID/cgroup files.</summary>
public sealed class LandingCgroupsTests
{
    [Fact]
    public void On_cgroup_v1_every_mounted_hierarchy_of_the_pod_container_is_joined_and_the_v2_root_is_not()
    {
        string[] mounted = ["/c/pids/cgroup.procs", "/c/memory/cgroup.procs", "/c/systemd/cgroup.procs", "/c/unified/cgroup.procs"];

        var files = LandingCgroups.ProcsFiles(CgroupFixtures.Read("v1-docker.txt"), "/c", mounted.Contains);

        const string Container = "/kubepods/burstable/pod5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9/1111222233334444555566667777888899990000aaaabbbbccccddddeeeeffff";
        Assert.Equal([$"/c/pids{Container}/cgroup.procs", $"/c/memory{Container}/cgroup.procs", $"/c/systemd{Container}/cgroup.procs"], files);
    }

    [Theory]
    [InlineData("/c/cgroup.procs", "/c/kubepods.slice")]
    [InlineData("/c/unified/cgroup.procs", "/c/unified/kubepods.slice")]
    public void On_cgroup_v2_the_unified_hierarchy_is_joined_wherever_it_is_mounted(string mounted, string expectedStart)
    {
        var file = Assert.Single(LandingCgroups.ProcsFiles(CgroupFixtures.Read("v2-systemd-containerd.txt"), "/c", f => f == mounted));

        Assert.StartsWith(expectedStart, file, StringComparison.Ordinal);
        Assert.EndsWith(".scope/cgroup.procs", file, StringComparison.Ordinal);
    }

    [Fact]
    public void Paths_outside_the_agents_view_and_unmounted_hierarchies_are_left_out()
    {
        Assert.Empty(LandingCgroups.ProcsFiles(CgroupFixtures.Read("v2-crio-nested-cgroupns.txt"), "/c", _ => true));
        Assert.Empty(LandingCgroups.ProcsFiles(CgroupFixtures.Read("v1-docker.txt"), "/c", _ => false));
    }
}
