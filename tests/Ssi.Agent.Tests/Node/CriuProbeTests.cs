using Ssi.Agent.Node;
using Ssi.Testing;

namespace Ssi.Agent.Tests.Node;

public sealed class CriuProbeTests
{
    [Theory]
    [InlineData("Version: 4.2.1\n", "4.2.1")]
    [InlineData("Version: 3.17.1\nGitID: v3.17.1\n", "3.17.1")]
    [InlineData("Version: 4.2\n", "4.2")]
    public void ParseVersion_reads_criu_version_output(string output, string expected)
    {
        Assert.Equal(Version.Parse(expected), CriuProbe.ParseVersion(output));
    }

    [Fact]
    public void ParseVersion_of_garbage_is_null()
    {
        Assert.Null(CriuProbe.ParseVersion("criu: command not found"));
    }

    [Fact]
    public async Task Missing_criu_is_reported_with_its_path()
    {
        var capability = await CriuProbe.ProbeAsync("/nonexistent/criu", CancellationToken.None);

        Assert.False(capability.Available);
        Assert.Contains("/nonexistent/criu", capability.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Installed_criu_is_found_and_recent_enough()
    {
        Prerequisites.RequireCriu();

        var capability = await CriuProbe.ProbeAsync(Prerequisites.CriuPath, CancellationToken.None);

        Assert.True(capability.Available, capability.Reason);
        Assert.True(Version.Parse(capability.Version) >= CriuProbe.Minimum);
    }
}
