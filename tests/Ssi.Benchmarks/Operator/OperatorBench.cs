using System.Diagnostics;
using System.Globalization;
using k8s;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Ssi.Api.V1Alpha1;
using Ssi.Controller.Runtime;
using Ssi.Operator.Agents;
using Ssi.Operator.Hosting;
using Ssi.Testing.FakeApiServer;

namespace Ssi.Benchmarks.Operator;

/// <summary>
/// N SsiClusters created at once against the in-process fake API server (with a stand-in DaemonSet
/// controller and agents that answer at once): time until all are Ready, API requests per cluster,
/// writes over three resyncs of the steady state, memory.
/// </summary>
internal static class OperatorBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200;
        await using var server = await FakeApiServer.StartAsync(historyLimit: 100_000);
        server.SimulateDaemonSetController(interval: TimeSpan.FromMilliseconds(100));
        var app = OperatorHost.Build(
        [
            "--Operator:HttpUrl=http://127.0.0.1:0",
            "--Operator:LeaseNamespace=ssi-system",
            "--Operator:ResyncPeriod=00:00:10",
            "--Operator:Workers=4",
            "--Logging:LogLevel:Default=Warning",
        ], services =>
        {
            services.AddSingleton<IKubernetes>(server.CreateClient());
            services.AddSingleton<IAgentFleet>(new BenchAgentFleet());
            services.AddLogging(l => l.ClearProviders());
        });
        await app.StartAsync();
        await app.Services.GetRequiredService<ControllerManager>().Started.WaitAsync(TimeSpan.FromMinutes(1));
        var memoryBefore = Memory();

        using var client = server.CreateClient();
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
            await client.CustomObjects.CreateNamespacedCustomObjectAsync(new V1Alpha1SsiCluster
            {
                Metadata = new V1ObjectMeta { Name = $"bench-{i:D3}", NamespaceProperty = "bench" },
                Spec = new SsiClusterSpec { Nodes = [new() { Name = "node1" }, new() { Name = "node2" }, new() { Name = "node3" }] },
            }, SsiApiGroup.Group, SsiApiGroup.Version, "bench", V1Alpha1SsiCluster.PluralName, cancellationToken: ct));
        var created = clock.Elapsed;
        while (ReadyCount(server) < count)
        {
            if (clock.Elapsed > TimeSpan.FromMinutes(10))
            {
                Console.Error.WriteLine($"only {ReadyCount(server)} of {count} Ready after 10 minutes");
                return 1;
            }

            await Task.Delay(100);
        }

        var allReady = clock.Elapsed;
        var requests = server.Requests.Snapshot();
        long Sum(Func<string, bool> verb) => requests.Where(p => verb(p.Key.Split(' ')[0]) && !p.Key.EndsWith(" leases", StringComparison.Ordinal)).Sum(p => p.Value);
        var total = Sum(_ => true);
        var writes = Sum(v => v is "create" or "update" or "patch" or "delete");
        var memoryReady = Memory();

        // Steady state: three resyncs (10 s each) of every cluster.
        var before = Writes(server);
        await Task.Delay(TimeSpan.FromSeconds(31));
        var steadyWrites = Writes(server) - before - 0;
        var memorySteady = Memory();
        await app.StopAsync();

        Console.WriteLine($"| clusters | created in | all Ready after | API requests / cluster | writes / cluster | writes in 3 resyncs (steady) | working set (Ready) | working set (steady) | managed heap (steady) |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {count} | {created.TotalSeconds:F1} s | {allReady.TotalSeconds:F1} s | {(double)total / count:F1} | {(double)writes / count:F1} | {steadyWrites} | {memoryReady.WorkingSet} MiB | {memorySteady.WorkingSet} MiB | {memorySteady.Heap} MiB |"));
        Console.WriteLine($"(working set before the clusters: {memoryBefore.WorkingSet} MiB; bench, fake API server and operator share the process, so the working set is an upper bound for the operator)");
        return 0;
    }

    private static long Writes(FakeApiServer server) =>
        server.Requests.Snapshot().Where(p => p.Key.Split(' ')[0] is "create" or "update" or "patch" or "delete" && !p.Key.EndsWith(" leases", StringComparison.Ordinal) && p.Key != "create ssiclusters").Sum(p => p.Value);

    private static int ReadyCount(FakeApiServer server) =>
        server.List(SsiApiGroup.Group, V1Alpha1SsiCluster.PluralName).Count(c =>
            c["status"]?["conditions"]?.AsArray().Any(x => x?["type"]?.GetValue<string>() == "Ready" && x["status"]?.GetValue<string>() == "True") == true);

    private static (long WorkingSet, long Heap) Memory()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        return (process.WorkingSet64 / (1024 * 1024), GC.GetTotalMemory(false) / (1024 * 1024));
    }
}
