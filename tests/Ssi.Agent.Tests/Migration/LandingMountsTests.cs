using Ssi.Agent.Migration.Landing;
using Ssi.Agent.Native.Mounts;

namespace Ssi.Agent.Tests.Migration;

public sealed class LandingMountsTests
{
    private static MountEntry At(int id, string mountPoint) => new(id, 1, "0:1", "/", mountPoint, "tmpfs", "tmpfs", "rw");

    [Fact]
    public void Every_mount_point_of_the_workloads_container_must_have_a_mount_in_the_landing_container()
    {
        IReadOnlyList<MountEntry> landing = [At(1, "/"), At(2, "/data"), At(3, "/etc/hosts"), At(4, "/proc")];

        Assert.Empty(LandingMounts.Missing(landing, ["/data", "/etc/hosts"]));
        Assert.Equal(["/cache"], LandingMounts.Missing(landing, ["/data", "/cache", "/cache"]));
    }
}
