using System.Globalization;
using System.Text.Json;
using Ssi.Agent.Native;
using Ssi.Cli.Commands;
using Ssi.Cli.Local;
using Ssi.Cli.Tests.Local;
using Ssi.Testing;
using Xunit.Abstractions;

namespace Ssi.Cli.Tests.Migration;

/// <summary>
/// A process in a pod's container moved, with real agents and CRIU, into a landing container on
/// another node (<see cref="SimulatedContainer"/>s stand in for the kubelet's): it comes back on the
/// landing container's root file system and volumes, in its namespaces and cgroup, through the
/// normal `ssi migrate` path (`--landing`, as the operator names the landing pod's container).
/// The volume is shared storage (each node mounts its shared filesystem's directory as the volume,
/// as a node mounts an NFS or CephFS volume), so the file the process holds there is found again.
/// </summary>
[Collection(LocalClusterCollection.Name)]
public sealed class ContainerMigrationTests(MigratingCluster cluster, ITestOutputHelper output) : IClassFixture<MigratingCluster>, IAsyncLifetime
{
    /// <summary>
    /// The workload: appends a line to its volume every 100 ms through one descriptor, with what it
    /// sees through the others: whether its root has the landing image's marker, its host name (UTS),
    /// the last word of /etc/hosts (read again through the descriptor it keeps) and a file of its
    /// image; and rewrites a file in its root file system (the container's writable layer).
    /// </summary>
    private const string App = """
        import os, socket, sys, time
        marker = sys.argv[1]
        volume = open('/data/%s.log' % marker, 'a', buffering=1)
        image = open('/app/image.txt')
        hosts = open('/etc/hosts')
        i = 0
        while True:
            image.seek(0)
            hosts.seek(0)
            root = 'landing' if os.path.exists('/landing-marker') else 'source'
            volume.write('%s %d root=%s host=%s hosts=%s image=%s\n' % (marker, i, root, socket.gethostname(), hosts.read().split()[-1], image.read().strip()))
            with open('/var/tmp/alive', 'w') as f:
                f.write(str(i))
            i += 1
            time.sleep(0.1)
        """;

    private string _kubeletRoot = "";
    private string _runtimeRoot = "";
    private LocalClusterLayout _layout = null!;

    public async Task InitializeAsync()
    {
        _layout = LocalClusterResolver.Resolve(Environment.GetEnvironmentVariable(CliContext.LocalRootVariable) is { Length: > 0 } r ? r : LocalClusterLayout.DefaultRoot, cluster.Name).Layout;
        _kubeletRoot = Path.Combine("/var/lib/ssi-fake-kubelet", cluster.Name);
        // The layers must not lie on the file system of / (a layer of every image here): /dev/shm is a
        // tmpfs, and the same one in every node's mount namespace.
        _runtimeRoot = Path.Combine("/dev/shm/ssi-fake-runtime", cluster.Name);
        foreach (var (name, landing) in new[] { ("source", false), ("landing", true) })
        {
            var image = Path.Combine(_runtimeRoot, "images", name);
            foreach (var directory in new[] { "app", "data", "run/ssi/bin" })
            {
                Directory.CreateDirectory(Path.Combine(image, directory));
            }

            await File.WriteAllTextAsync(Path.Combine(image, "app", "app.py"), App);
            await File.WriteAllTextAsync(Path.Combine(image, "app", "image.txt"), "v1\n");
            if (landing)
            {
                await File.WriteAllTextAsync(Path.Combine(image, "landing-marker"), "the landing image\n");
            }
        }
    }

    public Task DisposeAsync()
    {
        foreach (var directory in new[] { _runtimeRoot, _kubeletRoot })
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }

            if (Directory.GetParent(directory) is { } parent && parent.Exists && !parent.EnumerateFileSystemInfos().Any())
            {
                parent.Delete(); // the last test class using it
            }
        }

        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_process_in_a_container_comes_back_on_the_landing_containers_root_and_volume_and_keeps_writing()
    {
        await using var app = await StartAppAsync("ct");
        var (marker, storage, source, cpid, original) = app;

        var plan = await CliRun.RunAsync(["migrate", Cpid(cpid), "--to", "node2", "-c", cluster.Name, "--dry-run", "-o", "json"]);
        Assert.True(plan.ExitCode == 0, plan.ToString());
        var planned = JsonDocument.Parse(plan.StandardOutput).RootElement;
        Assert.Contains("/data", planned.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("/etc/hosts", planned.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains(Descriptors(planned), d => d.Target == $"/data/{marker}.log" && d.Reason.Contains("landing container's mount", StringComparison.Ordinal));
        Assert.Contains(Descriptors(planned), d => d.Target == "/app/image.txt" && d.Reason.Contains("image", StringComparison.Ordinal));
        Assert.Contains(Descriptors(planned), d => d.Target == "/etc/hosts" && d.Reason.Contains("landing pod's own", StringComparison.Ordinal));

        await using var landing = await StartAsync("node2", "landing", $"web-{marker}-landing", storage, "sleep", "infinity");
        var moved = await MigrateAsync(cpid, "node2", landing);
        Assert.Equal("Succeeded", moved.GetProperty("phase").GetString());

        var copy = await SingleCopyAsync(marker, original);
        Assert.True(File.Exists($"/proc/{copy}/root/landing-marker"), "the copy's root is not the landing container's");
        Assert.Contains($"upperdir={landing.Upper}", RootMount(copy), StringComparison.Ordinal);
        await AssertVolumeIsTheLandingsAsync(copy, marker, landing);
        var line = await WaitForLineAsync(landing, marker, $"root=landing host={landing.Spec.PodName} hosts={landing.Spec.PodName} image=v1");
        await WaitForAliveAsync(landing);
        Assert.Equal("node2", await cluster.NodeOfAsync(cpid));
        foreach (var ns in new[] { "net", "ipc", "uts" })
        {
            Assert.Equal(Namespace(landing.ShimPid, ns), Namespace(copy, ns));
        }

        Assert.Contains($":pids:{landing.CgroupPath}", await File.ReadAllTextAsync($"/proc/{copy}/cgroup"), StringComparison.Ordinal);
        var before = Counter(line);
        Assert.True(Counter(await WaitForLineAsync(landing, marker, $"{marker} {before + 3} ")) > before, "the counter went on from where it was: the process was not started again");

        // And on from the landing container to another one.
        await using var next = await StartAsync("node3", "landing", $"web-{marker}-next", storage, "sleep", "infinity");
        var again = await MigrateAsync(cpid, "node3", next);
        Assert.Equal("Succeeded", again.GetProperty("phase").GetString());
        var second = await SingleCopyAsync(marker, copy);
        Assert.Contains($"upperdir={next.Upper}", RootMount(second), StringComparison.Ordinal);
        await AssertVolumeIsTheLandingsAsync(second, marker, next);
        await WaitForLineAsync(next, marker, $"root=landing host={next.Spec.PodName} hosts={next.Spec.PodName} image=v1");
        await WaitForAliveAsync(next);
        ProcessSignals.Send(second, ProcessSignals.SIGKILL);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_failed_restore_into_a_landing_container_leaves_the_original_running_in_its_container(bool landingHasAVolumeOfItsOwn)
    {
        await using var app = await StartAppAsync("cr");
        var (marker, _, source, cpid, original) = app;

        // Without the volume the agent refuses before criu runs; with an empty one of its own, criu cannot open the file.
        var empty = Path.Combine(_kubeletRoot, $"empty-{marker}");
        Directory.CreateDirectory(empty);
        await using var landing = await StartAsync("node2", "landing", $"web-{marker}-landing", landingHasAVolumeOfItsOwn ? empty : null, "sleep", "infinity");
        var outcome = await MigrateAsync(cpid, "node2", landing, expectedExit: 1);

        Assert.Equal("RolledBack", outcome.GetProperty("phase").GetString());
        var message = outcome.GetProperty("message").GetString();
        output.WriteLine(message);
        Assert.Contains("Restore on node2 failed", message, StringComparison.Ordinal);
        // criu names the first descriptor it failed on: the file's (fd 3), or one a task of the tree
        // that had already failed could no longer be sent.
        Assert.Contains(landingHasAVolumeOfItsOwn ? "Unable to open fd=" : "nothing mounted at /data", message, StringComparison.Ordinal);

        var (pid, state) = Assert.Single(SimulatedContainer.ProcessesWith(marker));
        Assert.Equal(original, pid);
        Assert.NotEqual('T', state);
        Assert.False(File.Exists($"/proc/{pid}/root/landing-marker"));
        Assert.Contains($"upperdir={source.Upper}", RootMount(pid), StringComparison.Ordinal);
        var last = Counter(await WaitForLineAsync(source, marker, "root=source"));
        await WaitForLineAsync(source, marker, $"{marker} {last + 3} root=source host={source.Spec.PodName}");
        Assert.Equal("node1", await cluster.NodeOfAsync(cpid));
        Assert.Empty(Directory.GetFiles(empty));
    }

    [Fact]
    public async Task A_process_in_a_container_without_a_landing_container_is_not_frozen()
    {
        await using var app = await StartAppAsync("cn");
        var (marker, _, _, cpid, _) = app;

        var result = await CliRun.RunAsync(["migrate", Cpid(cpid), "--to", "node2", "-c", cluster.Name, "-o", "json"]);

        Assert.Equal(1, result.ExitCode);
        var outcome = JsonDocument.Parse(result.StandardOutput).RootElement;
        Assert.Equal("Failed", outcome.GetProperty("phase").GetString());
        Assert.Contains("landing container", outcome.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.NotEqual('T', Assert.Single(SimulatedContainer.ProcessesWith(marker)).State);
    }

    [Fact]
    public async Task A_file_the_container_wrote_in_its_writable_layer_blocks_the_move_with_the_reason()
    {
        var marker = "cw" + Guid.NewGuid().ToString("N")[..10];
        var held = $"/var/tmp/held-{marker}";
        await using var source = await StartAsync("node1", "source", $"web-{marker}", null,
            "/usr/bin/python3", "-c", $"import time; f = open('{held}', 'w'); f.write('x'); f.flush(); time.sleep(3600)", marker);
        var (cpid, _, _) = await cluster.WaitForAsync(marker);

        var result = await CliRun.RunAsync(["migrate", Cpid(cpid), "--to", "node2", "-c", cluster.Name, "--landing", "0000", "-o", "json"]);

        Assert.Equal(1, result.ExitCode);
        var outcome = JsonDocument.Parse(result.StandardOutput).RootElement;
        Assert.Equal("Failed", outcome.GetProperty("phase").GetString());
        var blocked = Assert.Single(Descriptors(outcome), d => d.Action == "blocked");
        Assert.Equal(held, blocked.Target);
        Assert.Contains("writable layer", blocked.Reason, StringComparison.Ordinal);
    }

    /// <summary>The app in a container on node1 with its volume on shared storage, once it writes: found by node1's agent.</summary>
    private async Task<RunningApp> StartAppAsync(string prefix)
    {
        var marker = prefix + Guid.NewGuid().ToString("N")[..10];
        var storage = await SharedStorageAsync(marker);
        var source = await StartAsync("node1", "source", $"web-{marker}", storage, "/usr/bin/python3", "/app/app.py", marker);
        var (cpid, node, _) = await cluster.WaitForAsync(marker);
        Assert.Equal("node1", node);
        var pid = Assert.Single(SimulatedContainer.ProcessesWith(marker)).Pid;
        await WaitForLineAsync(source, marker, "root=source");
        return new RunningApp(marker, storage, source, cpid, pid);
    }

    /// <summary>The app's marker (in its command line and log name), its volume's storage, its container, its cluster PID and host PID.</summary>
    private sealed record RunningApp(string Marker, string Storage, SimulatedContainer Source, long Cpid, int Pid) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Source.DisposeAsync();
    }

    /// <summary>A directory of the shared filesystem, made through node1: every node mounts it as the pods' volume.</summary>
    private async Task<string> SharedStorageAsync(string marker)
    {
        var path = $"{_layout.Filesystem.MountPath}/pv-{marker}";
        await SimulatedContainer.InNodeAsync(_layout.Node("node1"), "mkdir", "-p", path);
        return path;
    }

    private Task<SimulatedContainer> StartAsync(string node, string image, string podName, string? volume, params string[] command) =>
        SimulatedContainer.StartAsync(new ContainerSpec(
            _layout.Node(node),
            _kubeletRoot,
            _runtimeRoot,
            Path.Combine(_runtimeRoot, "images", image),
            podName,
            $"10.244.{_layout.Node(node).Index + 1}.{Random.Shared.Next(2, 250)}",
            volume is null ? [] : [("data", volume, "/data")],
            RepositoryPaths.Shim,
            command));

    private async Task<JsonElement> MigrateAsync(long cpid, string node, SimulatedContainer landing, int expectedExit = 0)
    {
        var result = await CliRun.RunAsync(["migrate", Cpid(cpid), "--to", node, "-c", cluster.Name, "--landing", landing.ContainerId, "-o", "json"]);
        Assert.True(result.ExitCode == expectedExit, result.ToString());
        var outcome = JsonDocument.Parse(result.StandardOutput).RootElement;
        output.WriteLine($"to {node}: {outcome.GetProperty("phase").GetString()}, freeze {(outcome.TryGetProperty("freezeMs", out var freeze) ? freeze.ToString() : "-")} ms");
        return outcome;
    }

    /// <summary>The descriptor the process writes its volume through is on the landing container's volume: the target node's mount of the storage.</summary>
    private async Task AssertVolumeIsTheLandingsAsync(int copy, string marker, SimulatedContainer landing)
    {
        var fd = Directory.GetFiles($"/proc/{copy}/fd").Single(f => new FileInfo(f).LinkTarget == $"/data/{marker}.log");
        var agent = await cluster.AgentPidAsync(landing.Spec.Node.Index);
        var landingVolume = FileStatus.Of($"/proc/{agent}/root{landing.VolumeSource("data")}");
        Assert.NotNull(landingVolume);
        Assert.Equal(landingVolume.Value.Dev, FileStatus.Of(fd)!.Value.Dev);
    }

    /// <summary>Waits for a line containing <paramref name="text"/> in the workload's log, read from the container's volume source, as its node has it mounted.</summary>
    private async Task<string> WaitForLineAsync(SimulatedContainer container, string marker, string text)
    {
        var agent = await cluster.AgentPidAsync(container.Spec.Node.Index);
        var log = $"/proc/{agent}/root{container.VolumeSource("data")}/{marker}.log";
        string[] lines = [];
        for (var i = 0; i < 150; i++)
        {
            lines = File.Exists(log) ? await File.ReadAllLinesAsync(log) : [];
            if (lines.LastOrDefault(l => l.Contains(text, StringComparison.Ordinal)) is { } line)
            {
                return line;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"no line with '{text}' in {log}; last lines: {string.Join(" | ", lines.TakeLast(3))}");
    }

    /// <summary>The file the process rewrites in its root file system shows up, changing, in the container's writable layer.</summary>
    private static async Task WaitForAliveAsync(SimulatedContainer container)
    {
        var alive = Path.Combine(container.Upper, "var", "tmp", "alive");
        string? first = null;
        for (var i = 0; i < 100; i++)
        {
            var now = File.Exists(alive) ? await File.ReadAllTextAsync(alive) : null;
            if (first is not null && now is not null && now != first)
            {
                return;
            }

            first ??= now;
            await Task.Delay(100);
        }

        throw new TimeoutException($"{alive} does not change: the process does not write in the landing container's writable layer");
    }

    private static async Task<int> SingleCopyAsync(string marker, int previous)
    {
        for (var i = 0; i < 50; i++)
        {
            var copies = SimulatedContainer.ProcessesWith(marker);
            if (copies.Count == 1 && copies[0].Pid != previous && copies[0].State != 'T')
            {
                return copies[0].Pid;
            }

            await Task.Delay(100);
        }

        throw new InvalidOperationException($"not exactly one running copy: {string.Join(", ", SimulatedContainer.ProcessesWith(marker))}");
    }

    private static string RootMount(int pid) => File.ReadLines($"/proc/{pid}/mountinfo").First(l => l.Split(' ')[4] == "/");

    private static int Counter(string line) => int.Parse(line.Split(' ')[1], CultureInfo.InvariantCulture);

    private static string Cpid(long cpid) => cpid.ToString(CultureInfo.InvariantCulture);

    private static string Namespace(int pid, string kind) => new FileInfo($"/proc/{pid}/ns/{kind}").LinkTarget ?? "?";

    private static IEnumerable<(string Target, string Action, string Reason)> Descriptors(JsonElement status) =>
        status.GetProperty("plan").EnumerateArray().Select(d => (
            d.TryGetProperty("target", out var t) ? t.GetString() ?? "" : "",
            d.GetProperty("action").GetString() ?? "",
            d.TryGetProperty("reason", out var r) ? r.GetString() ?? "" : ""));
}
