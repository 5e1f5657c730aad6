using System.Diagnostics;
using System.Globalization;
using Ssi.Agent.Contracts.V1;
using Ssi.Cli.Local;
using Ssi.Testing;

namespace Ssi.Benchmarks.Grpc;

/// <summary>The floor of every agent-to-agent operation: a bare unary gRPC call (mTLS) between two nodes of a local cluster.</summary>
internal static class GrpcFloorBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 2000;
        var name = $"grpc-{Environment.ProcessId}";
        var manifest = Path.Combine(Path.GetTempPath(), $"{name}.yaml");
        await File.WriteAllTextAsync(manifest, (await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.Samples, "ssicluster-local.yaml"))).Replace("name: demo", $"name: {name}", StringComparison.Ordinal));
        if ((await CliRun.RunAsync(["local", "up", "-f", manifest])).ExitCode != 0)
        {
            return 1;
        }

        try
        {
            var (layout, _) = LocalClusterResolver.Resolve(LocalClusterLayout.DefaultRoot, name);
            using var connector = LocalAgentConnector.ForCli(layout);
            var node = new Agent.Contracts.V1.Node.NodeClient(connector.ChannelFor("node1"));
            var asyncSamples = new List<double>(runs);
            var syncSamples = new List<double>(runs);
            for (var i = 0; i < 200; i++)
            {
                await node.CheckHealthAsync(new CheckHealthRequest());
            }

            for (var i = 0; i < runs; i++)
            {
                var clock = Stopwatch.StartNew();
                await node.CheckHealthAsync(new CheckHealthRequest());
                asyncSamples.Add(clock.Elapsed.TotalMicroseconds);
            }

            var thread = new Thread(() =>
            {
                for (var i = 0; i < runs; i++)
                {
                    var clock = Stopwatch.StartNew();
                    node.CheckHealth(new CheckHealthRequest());
                    syncSamples.Add(clock.Elapsed.TotalMicroseconds);
                }
            });
            thread.Start();
            thread.Join();

            var a = Stats.Of(asyncSamples);
            var s = Stats.Of(syncSamples);
            Console.WriteLine($"Bare unary gRPC round trip, host -> node1 agent over mTLS ({runs} calls, {DateTime.UtcNow:yyyy-MM-dd}, {Environment.ProcessorCount} cores)");
            Console.WriteLine();
            Console.WriteLine("| call | p50 us | p99 us |");
            Console.WriteLine("|---|---|---|");
            Console.WriteLine($"| async (await) | {a.P50:F0} | {a.P99:F0} |");
            Console.WriteLine($"| blocking, from a dedicated thread (as FUSE threads call) | {s.P50:F0} | {s.P99:F0} |");
            return 0;
        }
        finally
        {
            await CliRun.RunAsync(["local", "down", "-n", name]);
            File.Delete(manifest);
        }
    }
}
