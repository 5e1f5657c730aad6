using Ssi.Agent.Processes;

namespace Ssi.Agent.Tests.Migration;

public sealed class ContainerShimTests
{
    private const string Pod = "/kubepods/burstable/pod6f1c2d3e-0000-4000-8000-000000000001/3c1d9e2f";

    [Fact]
    public void The_shim_as_init_of_a_pods_container_on_its_own_root_is_a_workload_of_the_node()
    {
        Assert.True(ContainerShim.Matches("ssi-shim\n", 4242, 1, ownRoot: true, Pod, "/"));
        Assert.True(ContainerShim.Matches("ssi-shim", 4242, 1, ownRoot: true, "/ssi.c.node1" + Pod, "/ssi.c.node1"));
    }

    [Theory]
    [InlineData("python3", 1, true, Pod, "/")] // not the shim
    [InlineData("ssi-shim", 7, true, Pod, "/")] // not the container's init
    [InlineData("ssi-shim", 1, false, Pod, "/")] // on the node's root: a workload the agent started
    [InlineData("ssi-shim", 1, true, null, "/")] // in no pod
    [InlineData("ssi-shim", 1, true, "/ssi.c.node2" + Pod, "/ssi.c.node1")] // another node's pod
    [InlineData("ssi-shim", 1, true, "/ssi.c.node10" + Pod, "/ssi.c.node1")]
    public void Anything_else_is_not(string command, int namespacePid, bool ownRoot, string? podCgroup, string root)
    {
        Assert.False(ContainerShim.Matches(command, 4242, namespacePid, ownRoot, podCgroup, root));
    }
}
