using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Ssi.Api.V1Alpha1;
using Ssi.Operator.Certificates;
using Ssi.Operator.Hosting;
using Ssi.Operator.Tests.Agents;

namespace Ssi.Operator.Tests.Integration;

/// <summary>
/// `kubectl ssi ps/kill/run` through the real kubectl against the fake API server (the SsiCluster, its CA
/// Secret and agent pod as the operator leaves them) and a real agent host on 127.0.0.1 standing for
/// node1's agent pod; node2 has no agent pod. Run from a kubeconfig, the plugin reaches the agent
/// through port-forwards of the fake API server unless a test says <c>--agent-route pod-ip</c>.
/// </summary>
public sealed partial class KubectlProcessCommandsTests : IAsyncLifetime
{
    private const string Ns = OperatorScenario.Ns;
    private OperatorScenario _s = null!;
    private WebApplication _agent = null!;
    private SsiClusterCertificates _certificates = null!;
    private readonly DirectoryInfo _home = Directory.CreateTempSubdirectory("ssi-kubectl-ps-");
    private readonly List<long> _started = [];

    public async Task InitializeAsync()
    {
        _s = await OperatorScenario.StartAsync();
        await File.WriteAllTextAsync(Path.Combine(_home.FullName, "kubeconfig"), _s.Server.Kubeconfig());
        _certificates = new SsiClusterCertificateIssuer(TimeProvider.System, new OperatorOptions()).Resolve(Cluster(7443), null, null);
        _agent = await InProcessAgentPod.StartAsync(_certificates, Directory.CreateDirectory(Path.Combine(_home.FullName, "agent")).FullName);
        await _s.CreateAsync(Cluster(InProcessAgentPod.Port(_agent)));
    }

    public async Task DisposeAsync()
    {
        foreach (var pid in _started)
        {
            await KubectlSsi("kill", "-9", pid.ToString(CultureInfo.InvariantCulture), "-n", Ns);
        }

        await _agent.StopAsync();
        await _agent.DisposeAsync();
        await _s.DisposeAsync();
        _home.Delete(recursive: true);
    }

    private static V1Alpha1SsiCluster Cluster(int port)
    {
        var cluster = OperatorScenario.Cluster("demo");
        cluster.Spec.Nodes = [new SsiNodeSpec { Name = "node1" }, new SsiNodeSpec { Name = "node2" }];
        cluster.Spec.Agent = new SsiAgentSpec { Port = port };
        return cluster;
    }

    private Task<Chart.ToolRun> KubectlSsi(params string[] args) => KubectlPlugin.RunAsync(_home.FullName, args);

    /// <summary>TEST-NET-1 (RFC 5737): no route leads there.</summary>
    private const string UnreachablePodIp = "192.0.2.1";

    private async Task<long> StartSleepAsync(string[]? route = null)
    {
        var run = (await KubectlSsi(["run", "-d", "-n", Ns, .. route ?? ["--agent-route", "pod-ip"], "--", "sleep", "300"])).Succeeded("kubectl ssi run -d");
        var match = StartedLine().Match(run.Stdout);
        Assert.True(match.Success, run.Stdout);
        var pid = long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        _started.Add(pid);
        return pid;
    }

    private async Task<JsonElement[]> ListAsync()
    {
        var ps = await KubectlSsi("ps", "-o", "json", "-n", Ns);
        Assert.True(ps.ExitCode == 3, $"ps exits 3 while node2 has no agent: {ps.ExitCode}\n{ps.Stdout}\n{ps.Stderr}");
        using var json = JsonDocument.Parse(ps.Stdout);
        return [.. json.RootElement.GetProperty("processes").EnumerateArray().Select(p => p.Clone())];
    }

    [Fact]
    public async Task Kubectl_ssi_run_returns_the_workloads_output_and_exit_code()
    {
        await InProcessAgentPod.PublishAsync(_s.Server, _s.Client, Ns, _certificates);

        var run = await KubectlSsi("run", "-T", "--node", "node1", "-n", Ns, "--", "/bin/sh", "-c", "echo hello from the agent; exit 7");

        Assert.Equal(7, run.ExitCode);
        Assert.Contains("hello from the agent", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Kubectl_ssi_ps_lists_a_workload_in_a_table_and_as_json_and_names_the_node_without_an_agent()
    {
        await InProcessAgentPod.PublishAsync(_s.Server, _s.Client, Ns, _certificates);
        var pid = await StartSleepAsync();

        var table = await KubectlSsi("ps", "-n", Ns, "--cluster", "demo");
        var listed = await ListAsync();

        Assert.Equal(3, table.ExitCode);
        Assert.Matches($@"{pid}\s+node1\s+.*sleep 300", table.Stdout);
        Assert.Contains("node node2 is unreachable", table.Stdout, StringComparison.Ordinal);
        var process = listed.Single(p => p.GetProperty("clusterPid").GetInt64() == pid);
        Assert.Equal("node1", process.GetProperty("node").GetString());
        Assert.Equal("sleep 300", process.GetProperty("commandLine").GetString());
    }

    [Fact]
    public async Task Kubectl_ssi_kill_ends_a_workload_by_cluster_PID()
    {
        await InProcessAgentPod.PublishAsync(_s.Server, _s.Client, Ns, _certificates);
        var pid = await StartSleepAsync();

        (await KubectlSsi("kill", "-9", pid.ToString(CultureInfo.InvariantCulture), "-n", Ns, "--agent-route", "pod-ip")).Succeeded("kubectl ssi kill -9");

        for (var i = 0; (await ListAsync()).Any(p => p.GetProperty("clusterPid").GetInt64() == pid); i++)
        {
            Assert.True(i < 50, $"{pid} is still listed by kubectl ssi ps after SIGKILL");
            await Task.Delay(200);
        }

        var again = await KubectlSsi("kill", pid.ToString(CultureInfo.InvariantCulture), "-n", Ns);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains($"no process with cluster PID {pid}", again.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Kubectl_ssi_run_and_ps_reach_an_agent_whose_pod_IP_is_unreachable_through_the_API_server()
    {
        await InProcessAgentPod.PublishAsync(_s.Server, _s.Client, Ns, _certificates, podIp: UnreachablePodIp);
        _s.Server.RoutePodIp(UnreachablePodIp, IPAddress.Loopback);

        var run = await KubectlSsi("run", "-T", "--node", "node1", "-n", Ns, "--", "/bin/sh", "-c", "echo through the API server; exit 5");
        var pid = await StartSleepAsync(["--agent-route", "api-server"]);
        var table = await KubectlSsi("ps", "-n", Ns);
        var direct = await KubectlSsi("ps", "-n", Ns, "--agent-route", "pod-ip");

        Assert.True(run.ExitCode == 5, $"run exits with the workload's code: {run.ExitCode}\n{run.Stdout}\n{run.Stderr}");
        Assert.Contains("through the API server", run.Stdout, StringComparison.Ordinal);
        Assert.Equal(3, table.ExitCode);
        Assert.Matches($@"{pid}\s+node1\s+.*sleep 300", table.Stdout);
        Assert.True(_s.Server.Requests.Of("create", "pods/portforward") >= 3, "every command port-forwarded through the API server");
        Assert.Equal(3, direct.ExitCode);
        Assert.Contains("node node1 is unreachable", direct.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Kubectl_ssi_says_why_the_API_server_could_not_forward_to_the_agent()
    {
        await InProcessAgentPod.PublishAsync(_s.Server, _s.Client, Ns, _certificates, podIp: UnreachablePodIp);
        _s.Server.RoutePodIp(UnreachablePodIp, IPAddress.Loopback);
        await _agent.StopAsync();

        var run = await KubectlSsi("run", "-T", "--node", "node1", "-n", Ns, "--", "/bin/true");

        // The console wraps long lines.
        var said = run.Stdout.ReplaceLineEndings("");
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("port-forward to pod ssi/demo-ssi-agent-node1", said, StringComparison.Ordinal);
        Assert.Contains("error forwarding port", said, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Kubectl_ssi_reaches_an_agent_at_the_given_endpoint_when_it_has_no_pod_IP()
    {
        await InProcessAgentPod.PublishAsync(_s.Server, _s.Client, Ns, _certificates, withPod: false);

        var endpoint = $"node1=127.0.0.1:{InProcessAgentPod.Port(_agent).ToString(CultureInfo.InvariantCulture)}";
        var through = await KubectlSsi("run", "-T", "-n", Ns, "--agent-endpoint", endpoint, "--", "/bin/echo", "through the endpoint");
        var without = await KubectlSsi("run", "-T", "-n", Ns, "--", "/bin/echo", "no way there");

        Assert.True(through.ExitCode == 0, through.Stdout + through.Stderr);
        Assert.Contains("through the endpoint", through.Stdout, StringComparison.Ordinal);
        Assert.Equal(1, without.ExitCode);
        Assert.Contains("no agent address is known for node node1", without.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Kubectl_ssi_ps_says_what_is_missing_when_the_CA_Secret_is_not_there()
    {
        var ps = await KubectlSsi("ps", "-n", Ns);

        Assert.Equal(1, ps.ExitCode);
        Assert.Contains("cannot read Secret ssi/demo-ssi-ca", ps.Stdout, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^(\d+) started on node1", RegexOptions.Multiline)]
    private static partial Regex StartedLine();
}
