using Ssi.Agent.Contracts.V1;
using Ssi.Agent.Migration;
using Ssi.Agent.Migration.Landing;
using Ssi.Testing;

namespace Ssi.Agent.Tests.Migration;

/// <summary>Finding a landing placeholder on this node, with a process put in a cgroup named as the kubelet names a pod's container.</summary>
public sealed class LandingLocatorTests
{
    [Fact]
    public void A_placeholder_is_found_by_its_container_id()
    {
        Prerequisites.RequireRoot();
        var hierarchy = new[] { "/sys/fs/cgroup/pids", "/sys/fs/cgroup" }.FirstOrDefault(h => File.Exists(Path.Combine(h, "cgroup.procs")))
            ?? throw new PrerequisiteMissingException("a writable cgroup hierarchy (cgroup v1 pids or cgroup v2 at /sys/fs/cgroup)");
        var uid = Guid.NewGuid().ToString();
        var containerId = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()) + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        var relative = $"/kubepods-test/pod{uid}/{containerId}";
        var directory = hierarchy + relative;
        using var placeholder = System.Diagnostics.Process.Start("sleep", "60");
        try
        {
            Directory.CreateDirectory(directory);
            File.WriteAllText(Path.Combine(directory, "cgroup.procs"), placeholder.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));

            var found = LandingLocator.Find(new LandingTarget { ContainerId = containerId });

            Assert.Equal(placeholder.Id, found.Pid);
            Assert.Equal($"/proc/{placeholder.Id}/ns/net", found.NamespacePath("net"));
        }
        finally
        {
            placeholder.Kill();
            placeholder.WaitForExit();
            for (var d = directory; d.Length > hierarchy.Length; d = Path.GetDirectoryName(d)!)
            {
                Directory.Delete(d);
            }
        }
    }

    [Fact]
    public void A_placeholder_that_is_not_on_this_node_is_a_clear_error()
    {
        var missingContainer = Assert.Throws<MigrationException>(() => LandingLocator.Find(new LandingTarget { ContainerId = new string('a', 64) }));
        var missingPid = Assert.Throws<MigrationException>(() => LandingLocator.Find(new LandingTarget { Pid = int.MaxValue }));
        var empty = Assert.Throws<MigrationException>(() => LandingLocator.Find(new LandingTarget()));

        Assert.Contains("no process of container aaaa", missingContainer.Message, StringComparison.Ordinal);
        Assert.Contains("does not run on this node", missingPid.Message, StringComparison.Ordinal);
        Assert.Contains("container id or a pid", empty.Message, StringComparison.Ordinal);
    }
}
