using Ssi.Operator.Tests.Chart;

namespace Ssi.Operator.Tests.Integration;

/// <summary>`kubectl ssi ...` through the real kubectl (plugin found on PATH) against the fake API server and a running operator.</summary>
public sealed class KubectlPluginTests : IAsyncLifetime
{
    private OperatorScenario _s = null!;
    private DirectoryInfo _home = null!;

    public async Task InitializeAsync()
    {
        _s = await OperatorScenario.StartAsync();
        _home = Directory.CreateTempSubdirectory("ssi-kubectl-");
        await File.WriteAllTextAsync(Path.Combine(_home.FullName, "kubeconfig"), _s.Server.Kubeconfig());
    }

    public async Task DisposeAsync()
    {
        await _s.DisposeAsync();
        _home.Delete(recursive: true);
    }

    private Task<ToolRun> KubectlSsi(params string[] args) => KubectlPlugin.RunAsync(_home.FullName, args);

    [Fact]
    public async Task Kubectl_ssi_plans_migrates_and_shows_status_through_the_operator()
    {
        await _s.StartOperatorAsync();
        await _s.CreateAsync(OperatorScenario.Cluster("demo"));
        await OperatorScenario.Eventually(() => _s.IsReady("demo"), "demo Ready");

        var plan = (await KubectlSsi("plan", "demo", "65537", "node2", "-n", OperatorScenario.Ns)).Succeeded("kubectl ssi plan");
        var migrate = (await KubectlSsi("migrate", "demo", "65537", "node3", "-n", OperatorScenario.Ns)).Succeeded("kubectl ssi migrate");
        var status = (await KubectlSsi("status", "-n", OperatorScenario.Ns)).Succeeded("kubectl ssi status");

        Assert.Contains("Planned", plan.Stdout, StringComparison.Ordinal);
        Assert.Contains("/ssi/data.txt", plan.Stdout, StringComparison.Ordinal);
        Assert.Contains("Succeeded", migrate.Stdout, StringComparison.Ordinal);
        Assert.Equal("node3", _s.Migrations.Copies[65537]);
        Assert.Contains("demo: Ready=True", status.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Kubectl_ssi_migrate_fails_with_the_reason_when_the_target_is_not_a_node()
    {
        await _s.StartOperatorAsync();
        await _s.CreateAsync(OperatorScenario.Cluster("demo"));
        await OperatorScenario.Eventually(() => _s.IsReady("demo"), "demo Ready");

        var run = await KubectlSsi("migrate", "demo", "65537", "node9", "-n", OperatorScenario.Ns);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("is not a node of demo", run.Stdout, StringComparison.Ordinal);
    }
}
