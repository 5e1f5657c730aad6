using System.Diagnostics;
using System.Globalization;
using Grpc.Core;
using Ssi.Agent.Contracts.V1;
using Ssi.Agent.Native.Processes;
using Ssi.Agent.Native.Spawn;
using Ssi.Cli.Local;
using Ssi.Orchestration.Processes;
using Ssi.Testing;

namespace Ssi.Benchmarks.Processes;

/// <summary>
/// Remote exec and cluster-wide ps on a fresh 3-node local cluster: `ssi run --node other -- true`
/// against a local `true`, and `ssi ps` over 3 nodes x 300 processes; warm client (the RPCs alone)
/// and the whole CLI command (a fresh process each time, the one the tests run: the NativeAOT
/// `ssi` of eng/install.sh), against `true` started the same way.
/// </summary>
internal static class ProcessBench
{
    private const int AgentWarmUpRuns = 300;

    public static async Task<int> RunAsync(string[] args)
    {
        var runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 30;
        var name = $"bench-{Environment.ProcessId}";
        var manifest = Path.Combine(Path.GetTempPath(), $"{name}.yaml");
        await File.WriteAllTextAsync(manifest, (await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.Samples, "ssicluster-local.yaml"))).Replace("name: demo", $"name: {name}", StringComparison.Ordinal));
        var up = await CliRun.RunAsync(["local", "up", "-f", manifest]);
        if (up.ExitCode != 0)
        {
            Console.Error.WriteLine(up);
            return 1;
        }

        try
        {
            var (layout, _) = LocalClusterResolver.Resolve(LocalClusterLayout.DefaultRoot, name);
            using var connector = LocalAgentConnector.ForCli(layout);
            var client = new Agent.Contracts.V1.Process.ProcessClient(connector.ChannelFor("node2"));

            // Agents live for days: by then the JIT has compiled their hot paths at its last tier
            // (it takes a few hundred calls; until then it competes for the same cores).
            for (var i = 0; i < AgentWarmUpRuns; i++)
            {
                await CliRun.RunAsync(["run", "-c", name, "--node", "node2", "--", "true"]);
            }

            var local = await Measure(runs, () =>
            {
                var pid = Spawner.Start(new SpawnOptions(["true"]));
                ChildProcess.Wait(pid);
                return Task.CompletedTask;
            });
            var remote = await Measure(runs, () => RunTrueAsync(client));
            var localLikeCli = await Measure(runs, () => CliRun.StartProgram("/bin/true", []).WaitAsync(TimeSpan.FromMinutes(1)));
            var cliRemote = await Measure(runs, async () =>
            {
                var r = await CliRun.RunAsync(["run", "-c", name, "--node", "node2", "--", "true"]);
                if (r.ExitCode != 0)
                {
                    throw new InvalidOperationException(r.ToString());
                }
            });

            // 300 processes per node: one sh and 299 sleeps.
            var holders = new List<BackgroundCli>();
            foreach (var node in connector.Nodes)
            {
                holders.Add(CliRun.Start(["run", "-c", name, "--node", node, "--", "sh", "-c", "for i in $(seq 299); do sleep 600 & done; wait"]));
            }

            var processes = new ClusterProcesses(connector, TimeSpan.FromSeconds(10));
            for (var i = 0; i < 300 && (await processes.ListAsync(CancellationToken.None)).Processes.Count < 900; i++)
            {
                await Task.Delay(100);
            }

            var count = (await processes.ListAsync(CancellationToken.None)).Processes.Count;
            var ps = await Measure(runs, () => processes.ListAsync(CancellationToken.None));
            var cliPs = await Measure(runs, () => CliRun.RunAsync(["ps", "-c", name, "-o", "json"]));
            var exitNoticed = await MeasureExitNoticedAsync(connector, Math.Min(runs, 20));

            foreach (var holder in holders)
            {
                holder.Dispose();
            }

            Console.WriteLine($"Process space, 3-node local cluster, {runs} runs after {AgentWarmUpRuns} to warm the agent ({DateTime.UtcNow:yyyy-MM-dd}, {Environment.ProcessorCount} cores), CLI {RepositoryPaths.Cli}, load {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
            Console.WriteLine();
            Console.WriteLine("| measurement | p50 ms | p99 ms | min ms | ratio / goal |");
            Console.WriteLine("|---|---|---|---|---|");
            Console.WriteLine($"| local spawn of `true` (floor) | {Stats.Ms(local.P50)} | {Stats.Ms(local.P99)} | {Stats.Ms(local.Min)} | 1.0 |");
            Console.WriteLine($"| remote `true` on node2, warm client (Run RPC) | {Stats.Ms(remote.P50)} | {Stats.Ms(remote.P99)} | {Stats.Ms(remote.Min)} | +{Stats.Ms(remote.P50 - local.P50)} ms (goal <= +30 ms) |");
            Console.WriteLine($"| local `true` started as the CLI is (Process.Start, output read) | {Stats.Ms(localLikeCli.P50)} | {Stats.Ms(localLikeCli.P99)} | {Stats.Ms(localLikeCli.Min)} | 1.0 |");
            Console.WriteLine($"| `ssi run --node node2 -- true`, whole CLI | {Stats.Ms(cliRemote.P50)} | {Stats.Ms(cliRemote.P99)} | {Stats.Ms(cliRemote.Min)} | +{Stats.Ms(cliRemote.P50 - localLikeCli.P50)} ms (goal <= +30 ms) |");
            Console.WriteLine($"| ps over 3 nodes x {count / 3} processes, warm client | {Stats.Ms(ps.P50)} | {Stats.Ms(ps.P99)} | {Stats.Ms(ps.Min)} | goal <= 100 ms |");
            Console.WriteLine($"| `ssi ps -o json` over {count} processes, whole CLI | {Stats.Ms(cliPs.P50)} | {Stats.Ms(cliPs.P99)} | {Stats.Ms(cliPs.Min)} | - |");
            Console.WriteLine($"| exit noticed: SIGKILL sent -> Exited event (proc connector) | {Stats.Ms(exitNoticed.P50)} | {Stats.Ms(exitNoticed.P99)} | {Stats.Ms(exitNoticed.Min)} | - |");
            return 0;
        }
        finally
        {
            if (Environment.GetEnvironmentVariable("SSI_BENCH_KEEP") != "1")
            {
                await CliRun.RunAsync(["local", "down", "-n", name]);
            }

            File.Delete(manifest);
        }
    }

    private static async Task RunTrueAsync(Agent.Contracts.V1.Process.ProcessClient client)
    {
        using var call = client.Run();
        var start = new RunStart();
        start.Argv.Add("true");
        await call.RequestStream.WriteAsync(new RunRequest { Start = start });
        await call.RequestStream.WriteAsync(new RunRequest { StdinEof = true });
        await foreach (var response in call.ResponseStream.ReadAllAsync())
        {
            if (response.PayloadCase == RunResponse.PayloadOneofCase.Exited && response.Exited.ExitCode != 0)
            {
                throw new InvalidOperationException("true failed");
            }
        }
    }

    private static async Task<Stats> MeasureExitNoticedAsync(LocalAgentConnector connector, int runs)
    {
        var client = new Agent.Contracts.V1.Process.ProcessClient(connector.ChannelFor("node3"));
        var samples = new List<double>();
        using var cts = new CancellationTokenSource();
        using var watch = client.WatchProcesses(new WatchProcessesRequest(), cancellationToken: cts.Token);
        for (var i = 0; i < runs; i++)
        {
            using var call = client.Run();
            var start = new RunStart();
            start.Argv.AddRange(["sleep", "600"]);
            await call.RequestStream.WriteAsync(new RunRequest { Start = start });
            await call.ResponseStream.MoveNext();
            var cpid = call.ResponseStream.Current.Started.ClusterPid;
            var clock = Stopwatch.StartNew();
            await client.SignalProcessAsync(new SignalProcessRequest { ClusterPid = cpid, Signal = 9 });
            while (await watch.ResponseStream.MoveNext())
            {
                var e = watch.ResponseStream.Current;
                if (e.Kind == ProcessEvent.Types.Kind.Exited && e.ClusterPid == cpid)
                {
                    samples.Add(clock.Elapsed.TotalMilliseconds);
                    break;
                }
            }
        }

        await cts.CancelAsync();
        return Stats.Of(samples);
    }

    private static async Task<Stats> Measure(int runs, Func<Task> action)
    {
        await action(); // warm-up
        var samples = new List<double>(runs);
        for (var i = 0; i < runs; i++)
        {
            var clock = Stopwatch.StartNew();
            await action();
            samples.Add(clock.Elapsed.TotalMilliseconds);
        }

        if (Environment.GetEnvironmentVariable("SSI_BENCH_SAMPLES") == "1")
        {
            Console.Error.WriteLine(string.Join(' ', samples.Select(x => Stats.Ms(x))));
        }

        return Stats.Of(samples);
    }
}
