namespace Ssi.Cli.Tests.Local;

/// <summary>One local cluster shared by the tests of a class (brought up once, removed at the end).</summary>
public sealed class RunningCluster : IAsyncLifetime
{
    private TestCluster? _cluster;

    internal TestCluster Cluster => _cluster ?? throw new InvalidOperationException("not started");

    public string Name => Cluster.Name;

    public string NodeNamespace(string node) => $"ssi.{Name}.{node}";

    public async Task InitializeAsync()
    {
        _cluster = TestCluster.FromSample("p");
        var up = await _cluster.UpAsync();
        Assert.True(up.ExitCode == 0, up.ToString());
    }

    public async Task DisposeAsync()
    {
        // SSI_TEST_KEEP=1 keeps the cluster (and its agents' logs) for a look after a failure.
        if (_cluster is not null && Environment.GetEnvironmentVariable("SSI_TEST_KEEP") != "1")
        {
            await _cluster.DisposeAsync();
        }
    }
}
