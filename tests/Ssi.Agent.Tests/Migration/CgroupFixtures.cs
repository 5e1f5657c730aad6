using Ssi.Testing;

namespace Ssi.Agent.Tests.Migration;

/// <summary>Recorded <c>/proc/PID/cgroup</c> files (testdata/cgroup).</summary>
internal static class CgroupFixtures
{
    public static string Read(string name) =>
        File.ReadAllText(Path.Combine(RepositoryPaths.Root, "tests", "Ssi.Agent.Tests", "Migration", "testdata", "cgroup", name));
}
