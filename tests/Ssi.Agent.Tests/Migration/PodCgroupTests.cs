using Ssi.Agent.Migration.Landing;

namespace Ssi.Agent.Tests.Migration;

/// <summary>The pod and container of a process from recorded <c>/proc/PID/cgroup</c> files (testdata/cgroup).</summary>
public sealed class PodCgroupTests
{
    [Theory]
    [InlineData("v2-systemd-containerd.txt", "1b2c3d4e-5f6a-4b8c-9d0e-1f2a3b4c5d6e", "8f1e2d3c4b5a69788f1e2d3c4b5a69788f1e2d3c4b5a69788f1e2d3c4b5a6978")]
    [InlineData("v2-cgroupfs-guaranteed.txt", "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "3c4b5a69788f1e2d3c4b5a69788f1e2d3c4b5a69788f1e2d3c4b5a69788f1e2d")]
    [InlineData("v2-crio-nested-cgroupns.txt", "99887766-5544-4332-a211-00ffeeddccbb", "aaaabbbbccccddddeeeeffff00001111aaaabbbbccccddddeeeeffff00001111")]
    [InlineData("v1-docker.txt", "5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9", "1111222233334444555566667777888899990000aaaabbbbccccddddeeeeffff")]
    public void A_container_of_a_pod_is_found_with_the_pod_uid_and_the_container_id(string fixture, string podUid, string containerId)
    {
        var pod = PodCgroup.Parse(CgroupFixtures.Read(fixture));

        Assert.NotNull(pod);
        Assert.Equal((podUid, containerId), (pod.PodUid, pod.ContainerId));
        Assert.EndsWith(containerId + (pod.CgroupPath.EndsWith(".scope", StringComparison.Ordinal) ? ".scope" : ""), pod.CgroupPath, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("node-service.txt")]
    [InlineData("pod-sandbox-only.txt")]
    public void A_process_outside_a_pod_container_has_none(string fixture)
    {
        Assert.Null(PodCgroup.Parse(CgroupFixtures.Read(fixture)));
    }

    [Fact]
    public void This_test_process_is_not_in_a_pod_and_a_gone_process_has_none()
    {
        Assert.Null(PodCgroup.Of(Environment.ProcessId));
        Assert.Null(PodCgroup.Of(int.MaxValue));
    }
}
