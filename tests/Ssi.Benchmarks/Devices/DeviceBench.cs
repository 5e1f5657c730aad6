using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text.Json;
using Google.Protobuf;
using Grpc.Core;
using Ssi.Agent.Contracts.Security;
using Ssi.Agent.Contracts.V1;
using Ssi.Agent.Native;
using Ssi.Agent.Native.Terminals;
using Ssi.Cli.Local;
using Ssi.Testing;

namespace Ssi.Benchmarks.Devices;

/// <summary>
/// Local system calls on node1's devices against the same calls from node3 through
/// /run/ssi/dev/node1, with the bare gRPC round trip node3 -> node1 as the floor (one table).
/// </summary>
internal static class DeviceBench
{
    private static double SessionMiBs { get; set; }

    private static readonly string Script = Path.Combine(RepositoryPaths.Root, "tests", "Ssi.Benchmarks", "scripts", "devbench.py");

    public static async Task<int> RunAsync(string[] args)
    {
        var runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 2000;
        var (master, slave) = Pty.Open();
        var name = $"devb-{Environment.ProcessId}";
        var manifest = Path.Combine(Path.GetTempPath(), $"{name}.yaml");
        var sample = await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.Samples, "ssicluster-local.yaml"));
        await File.WriteAllTextAsync(manifest, sample.Replace("name: demo", $"name: {name}", StringComparison.Ordinal)
            .Replace("/dev/urandom]", $"/dev/urandom, {slave}]", StringComparison.Ordinal));
        if ((await CliRun.RunAsync(["local", "up", "-f", manifest])).ExitCode != 0)
        {
            return 1;
        }

        try
        {
            var (layout, _) = LocalClusterResolver.Resolve(LocalClusterLayout.DefaultRoot, name);
            var remoteTty = $"/run/ssi/dev/node1/{slave[5..].Replace('/', '-')}";
            _ = Ops(layout, "/run/ssi/dev/node1/zero", "/run/ssi/dev/node1/null", remoteTty, runs); // warms both agents up (JIT tiers)
            var local = Ops(null, "/dev/zero", "/dev/null", slave, runs);
            var remote = Ops(layout, "/run/ssi/dev/node1/zero", "/run/ssi/dev/node1/null", remoteTty, runs);
            var wakeLocal = Wakeup(null, slave, master, runs / 4);
            var wakeRemote = Wakeup(layout, remoteTty, master, runs / 4);
            var (unary, session) = await FloorAsync(layout, runs);

            Console.WriteLine($"Devices: node1's devices used on node1 (local syscalls) and from node3 (/run/ssi/dev/node1), {DateTime.UtcNow:yyyy-MM-dd}, {Environment.ProcessorCount} cores");
            Console.WriteLine();
            Console.WriteLine("| operation | local p50 / p99 us | remote p50 / p99 us | remote / floor (p50) |");
            Console.WriteLine("|---|---|---|---|");
            foreach (var (label, key) in new[] { ("read 1 byte (/dev/zero)", "read1"), ("write 1 byte (/dev/null)", "write1"), ("read 64 KiB (/dev/zero)", "read64k"), ("write 64 KiB (/dev/null)", "write64k"), ("ioctl TCGETS (pty)", "ioctl") })
            {
                Row(label, P(local, key), P(remote, key), unary.P50);
            }

            Row("poll wake-up: write on node1 -> epoll_wait returns", wakeLocal, wakeRemote, unary.P50);
            Console.WriteLine($"| streaming read, 1 MiB reads (/dev/zero), MiB/s | {local.GetProperty("stream_mibs").GetDouble():F0} | {remote.GetProperty("stream_mibs").GetDouble():F0} | - |");
            Console.WriteLine($"| floor: bare unary gRPC node3 -> node1 (Node.CheckHealth) | - | {unary.P50:F0} / {unary.P99:F0} | 1.00x |");
            Console.WriteLine($"| device session call node3 -> node1 without FUSE (1-byte read) | - | {session.P50:F0} / {session.P99:F0} | {session.P50 / unary.P50:F2}x |");
            Console.WriteLine($"| device session without FUSE, 1 MiB reads (/dev/zero), MiB/s | - | {SessionMiBs:F0} | - |");
            return 0;
        }
        finally
        {
            await CliRun.RunAsync(["local", "down", "-n", name]);
            File.Delete(manifest);
            FileDescriptor.Close(master);
        }
    }

    private static (double P50, double P99) P(JsonElement result, string key) =>
        (result.GetProperty(key).GetProperty("p50").GetDouble(), result.GetProperty(key).GetProperty("p99").GetDouble());

    private static void Row(string label, (double P50, double P99) local, (double P50, double P99) remote, double floor) =>
        Console.WriteLine($"| {label} | {local.P50:F1} / {local.P99:F1} | {remote.P50:F0} / {remote.P99:F0} | {remote.P50 / floor:F2}x |");

    private static ProcessStartInfo Python(LocalClusterLayout? layout, params string[] arguments)
    {
        var info = new ProcessStartInfo("nsenter") { RedirectStandardOutput = true, RedirectStandardInput = true, UseShellExecute = false };
        if (layout is not null)
        {
            var node3 = layout.Node("node3");
            info.ArgumentList.Add($"--mount={node3.MountNamespaceFile}");
            info.ArgumentList.Add($"--net={node3.NetworkNamespacePath}");
        }

        foreach (var a in new[] { "--", "/usr/bin/python3", Script }.Concat(arguments))
        {
            info.ArgumentList.Add(a);
        }

        return info;
    }

    private static JsonElement Ops(LocalClusterLayout? layout, string zero, string nul, string tty, int runs)
    {
        using var process = System.Diagnostics.Process.Start(Python(layout, "ops", zero, nul, tty, runs.ToString(CultureInfo.InvariantCulture)))!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return JsonDocument.Parse(output).RootElement.Clone();
    }

    /// <summary>Writes a line to the pty master and notes when the reader's epoll_wait returned (both CLOCK_MONOTONIC).</summary>
    private static (double P50, double P99) Wakeup(LocalClusterLayout? layout, string tty, int master, int runs)
    {
        using var process = System.Diagnostics.Process.Start(Python(layout, "wakeup", tty, runs.ToString(CultureInfo.InvariantCulture)))!;
        if (process.StandardOutput.ReadLine() != "ready")
        {
            throw new InvalidOperationException("the wake-up reader did not start");
        }

        var samples = new List<double>(runs);
        for (var i = 0; i < runs; i++)
        {
            Thread.Sleep(2); // let the reader block in epoll_wait again
            var written = Stopwatch.GetTimestamp();
            FileDescriptor.WriteAll(master, "x\n"u8);
            var woke = long.Parse(process.StandardOutput.ReadLine()!, CultureInfo.InvariantCulture);
            samples.Add((woke - written) * 1e6 / Stopwatch.Frequency);
        }

        process.WaitForExit();
        var stats = Stats.Of(samples);
        return (stats.P50, stats.P99);
    }

    /// <summary>Round trips node3 -> node1: a bare unary call, and a 1-byte read over a device session stream.</summary>
    private static async Task<(Stats Unary, Stats Session)> FloorAsync(LocalClusterLayout layout, int runs)
    {
        var node1 = layout.Node("node1");
        var node3 = layout.Node("node3");
        var credentials = AgentCredentials.FromDirectory(node3.CredentialsDirectory, "agent");
        using var channel = AgentChannelFactory.Create(
            new Uri($"https://{node1.Address}:{layout.AgentPort}"),
            "node1",
            credentials,
            AgentChannelFactory.ConnectWith(() => NetworkNamespace.Run(node3.NetworkNamespacePath, () => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))));
        var node = new Agent.Contracts.V1.Node.NodeClient(channel);
        var unary = new List<double>(runs);
        for (var i = 0; i < runs + 200; i++)
        {
            var clock = Stopwatch.StartNew();
            await node.CheckHealthAsync(new CheckHealthRequest());
            if (i >= 200)
            {
                unary.Add(clock.Elapsed.TotalMicroseconds);
            }
        }

        var device = new Agent.Contracts.V1.Device.DeviceClient(channel);
        using var session = device.Session();
        await session.RequestStream.WriteAsync(new DeviceCall { Hello = new SessionHello { Node = "bench" } });
        await session.RequestStream.WriteAsync(new DeviceCall { Id = 1, Open = new OpenCall { Name = "zero", Flags = 0 } });
        await session.ResponseStream.MoveNext(CancellationToken.None);
        var handle = (ulong)session.ResponseStream.Current.Result;
        var calls = new List<double>(runs);
        for (var i = 0; i < runs + 200; i++)
        {
            var clock = Stopwatch.StartNew();
            await session.RequestStream.WriteAsync(new DeviceCall { Id = (ulong)i + 2, Read = new ReadCall { Handle = handle, Size = 1 } });
            await session.ResponseStream.MoveNext(CancellationToken.None);
            if (i >= 200)
            {
                calls.Add(clock.Elapsed.TotalMicroseconds);
            }
        }

        var bytes = 0L;
        var stream = Stopwatch.StartNew();
        for (var i = 0; stream.Elapsed < TimeSpan.FromSeconds(2); i++)
        {
            await session.RequestStream.WriteAsync(new DeviceCall { Id = (ulong)(runs + 300 + i), Read = new ReadCall { Handle = handle, Size = 1 << 20 } });
            await session.ResponseStream.MoveNext(CancellationToken.None);
            bytes += session.ResponseStream.Current.Data.Length;
        }

        SessionMiBs = bytes / 1048576.0 / stream.Elapsed.TotalSeconds;
        await session.RequestStream.CompleteAsync();
        return (Stats.Of(unary), Stats.Of(calls));
    }
}
