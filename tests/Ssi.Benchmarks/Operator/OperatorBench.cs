using System.Diagnostics;
using System.Globalization;
using k8s;
using k8s.Models;
using Ssi.Api.V1Alpha1;
using Ssi.Testing.FakeApiServer;

namespace Ssi.Benchmarks.Operator;

/// <summary>
/// N SsiClusters created at once against the in-process fake API server (with a stand-in DaemonSet
/// controller) served to the operator host running alone in a child process (agents answer at once):
/// time until all are Ready, API requests per cluster, writes over three resyncs of the steady state,
/// the operator process's memory.
/// </summary>
internal static class OperatorBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200;
        await using var server = await FakeApiServer.StartAsync(historyLimit: 100_000);
        server.SimulateDaemonSetController(interval: TimeSpan.FromMilliseconds(100));
        await using var child = await OperatorChildProcess.StartAsync(server.Url);
        var memoryBefore = await child.MemoryAsync();

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
        var memoryReady = await child.MemoryAsync();

        // Steady state: once the writes that follow the last Ready (its Event) have landed, three
        // resyncs (10 s each) of every cluster.
        for (var last = -1L; Writes(server) != last;)
        {
            last = Writes(server);
            await Task.Delay(TimeSpan.FromSeconds(1));
        }

        var before = Writes(server);
        var beforeByKind = server.Requests.Snapshot();
        await Task.Delay(TimeSpan.FromSeconds(31));
        var steadyWrites = Writes(server) - before;
        var steadyKinds = server.Requests.Snapshot()
            .Where(p => IsWrite(p.Key) && p.Value > beforeByKind.GetValueOrDefault(p.Key))
            .Select(p => $"{p.Key} x{p.Value - beforeByKind.GetValueOrDefault(p.Key)}");
        var memorySteady = await child.MemoryAsync();
        var bench = Memory();

        const double goalMiB = 150;
        Console.WriteLine("| clusters | created in | all Ready after | API requests / cluster | writes / cluster | writes in 3 resyncs (steady; goal 0) | operator working set (Ready) | operator working set (steady; goal ≤ 150 MiB) | steady / goal | operator managed heap (steady) |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {count} | {created.TotalSeconds:F1} s | {allReady.TotalSeconds:F1} s | {(double)total / count:F1} | {(double)writes / count:F1} | {steadyWrites} | {memoryReady.WorkingSet} MiB | {memorySteady.WorkingSet} MiB | {memorySteady.WorkingSet / goalMiB:F2}x | {memorySteady.Heap} MiB |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"(operator process alone, read from /proc/PID/status VmRSS after a full GC in it; before the clusters: {memoryBefore.WorkingSet} MiB working set, {memoryBefore.Heap} MiB heap. The bench process with the fake API server: {bench.WorkingSet} MiB.)"));
        if (steadyWrites > 0)
        {
            Console.WriteLine($"(writes in the steady state: {string.Join(", ", steadyKinds)})");
        }

        return 0;
    }

    private static bool IsWrite(string key) =>
        key.Split(' ')[0] is "create" or "update" or "patch" or "delete" && !key.EndsWith(" leases", StringComparison.Ordinal) && key != "create ssiclusters";

    private static long Writes(FakeApiServer server) => server.Requests.Snapshot().Where(p => IsWrite(p.Key)).Sum(p => p.Value);

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
