using System.Text.Json;
using Ssi.Cli.Commands;
using Ssi.Cli.Local;
using Ssi.Cli.Tests.Local;
using Ssi.Testing;

namespace Ssi.Cli.Tests.Migration;

/// <summary>A local cluster for migration tests, with helpers to find and move workloads.</summary>
public class MigratingCluster : IAsyncLifetime
{
    private TestCluster? _cluster;

    public string Name => _cluster!.Name;

    /// <summary>Environment of the agents (fault injection), set before the cluster starts.</summary>
    internal Dictionary<string, string>? AgentEnvironment { get; init; }

    public async Task InitializeAsync()
    {
        Prerequisites.RequireCriu();
        _cluster = TestCluster.FromSample("m");
        var up = await _cluster.UpAsync(AgentEnvironment);
        Assert.True(up.ExitCode == 0, up.ToString());
    }

    public async Task DisposeAsync()
    {
        if (_cluster is not null && Environment.GetEnvironmentVariable("SSI_TEST_KEEP") != "1")
        {
            await _cluster.DisposeAsync();
        }
    }

    /// <summary>PID of the agent of the node at <paramref name="index"/> (0-based).</summary>
    public async Task<int> AgentPidAsync(int index) =>
        (await _cluster!.StatusJsonAsync()).GetProperty("nodes")[index].GetProperty("agentPid").GetInt32();

    /// <summary>The cluster PID and node of the process whose command line contains <paramref name="marker"/>.</summary>
    public async Task<(long Cpid, string Node, string State)?> FindAsync(string marker)
    {
        var ps = await CliRun.RunAsync(["ps", "-c", Name, "-o", "json"]);
        foreach (var p in JsonDocument.Parse(ps.StandardOutput).RootElement.GetProperty("processes").EnumerateArray())
        {
            if (p.GetProperty("commandLine").GetString()!.Contains(marker, StringComparison.Ordinal) && p.GetProperty("parentClusterPid").GetInt64() == 0)
            {
                return (p.GetProperty("clusterPid").GetInt64(), p.GetProperty("node").GetString()!, p.GetProperty("state").GetString()!);
            }
        }

        return null;
    }

    /// <summary>Node of a cluster PID (right after a lazy move the command line may not be readable yet: its memory is still arriving).</summary>
    public async Task<string?> NodeOfAsync(long cpid)
    {
        var ps = await CliRun.RunAsync(["ps", "-c", Name, "-o", "json"]);
        return JsonDocument.Parse(ps.StandardOutput).RootElement.GetProperty("processes").EnumerateArray()
            .Where(p => p.GetProperty("clusterPid").GetInt64() == cpid).Select(p => p.GetProperty("node").GetString()).FirstOrDefault();
    }

    public async Task<(long Cpid, string Node, string State)> WaitForAsync(string marker)
    {
        for (var i = 0; i < 100; i++)
        {
            if (await FindAsync(marker) is { } found)
            {
                return found;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"no workload with '{marker}' appeared in ssi ps");
    }

    /// <summary>Starts on <paramref name="node"/> a shell loop that appends a numbered line to /ssi/MARKER.log every 50 ms; returns its cluster PID.</summary>
    public async Task<long> StartWriterAsync(string marker, string node)
    {
        var start = await CliRun.RunAsync(["run", "-d", "-c", Name, "--node", node, "--", "sh", "-c", $"i=0; while true; do echo {marker} $i >> /ssi/{marker}.log; i=$((i+1)); sleep 0.05; done"]);
        Assert.True(start.ExitCode == 0, start.ToString());
        return (await WaitForAsync(marker)).Cpid;
    }

    /// <summary>A connector to this cluster's agents as the CLI makes one, for tests that drive a coordinator themselves.</summary>
    internal LocalAgentConnector Connector()
    {
        var root = Environment.GetEnvironmentVariable(CliContext.LocalRootVariable) is { Length: > 0 } r ? r : LocalClusterLayout.DefaultRoot;
        return LocalAgentConnector.ForCli(LocalClusterResolver.Resolve(root, Name).Layout);
    }

    public async Task<JsonElement> MigrateAsync(long cpid, string node, int expectedExit = 0)
    {
        var result = await CliRun.RunAsync(["migrate", cpid.ToString(System.Globalization.CultureInfo.InvariantCulture), "--to", node, "-c", Name, "-o", "json"]);
        Assert.True(result.ExitCode == expectedExit, result.ToString());
        return JsonDocument.Parse(result.StandardOutput).RootElement;
    }

    /// <summary>
    /// The copies once at most one is left: a committed move SIGKILLs the frozen original, which
    /// takes a moment to go (its mount namespace is torn down as it exits). Never more than 5 s.
    /// </summary>
    public static async Task<IReadOnlyList<(int Pid, char State)>> CopiesSettledAsync(string marker)
    {
        var copies = Copies(marker);
        for (var i = 0; i < 50 && copies.Count > 1; i++)
        {
            await Task.Delay(100);
            copies = Copies(marker);
        }

        return copies;
    }

    /// <summary>Host PIDs of the (non-shim) processes whose command line contains the marker.</summary>
    public static IReadOnlyList<int> HostPidsOf(string marker) =>
        HostProcesses()
            .Where(p => !p.Argv[0].EndsWith("ssi-shim", StringComparison.Ordinal) && p.Argv[0] != "unshare" && p.Argv.Any(a => a.Contains(marker, StringComparison.Ordinal)))
            .Select(p => p.Pid)
            .ToList();

    /// <summary>Host processes (any node) whose command line contains the marker: the copies that exist.</summary>
    public static IReadOnlyList<(int Pid, char State)> Copies(string marker) =>
        HostProcesses()
            .Where(p => string.Join(' ', p.Argv).StartsWith("sh -c", StringComparison.Ordinal) && p.Argv.Any(a => a.Contains(marker, StringComparison.Ordinal)) && p.State != 'Z')
            .Select(p => (p.Pid, p.State))
            .ToList();

    /// <summary>Every process of this machine (all nodes are namespaces of it): PID, argv and state.</summary>
    private static IEnumerable<(int Pid, string[] Argv, char State)> HostProcesses()
    {
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            string[] argv;
            char state;
            try
            {
                argv = File.ReadAllText(Path.Combine(dir, "cmdline")).Split('\0');
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                state = stat[stat.LastIndexOf(')') + 2];
            }
            catch (IOException)
            {
                continue; // gone
            }

            yield return (pid, argv, state);
        }
    }
}
