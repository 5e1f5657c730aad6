using System.Buffers.Binary;
using System.Diagnostics;
using Ssi.Agent.Filesystem;
using Ssi.Agent.Filesystem.Fuse;
using Ssi.Agent.Native;
using Ssi.Testing;

namespace Ssi.Agent.Tests.Filesystem.Forwarding;

/// <summary>
/// A real forwarding agent with a real FUSE mount, linked to a <see cref="FakeHome"/> that answers by
/// hand: replies in any order, no reply at all, interrupts.
/// </summary>
public sealed class HomeLinkTests
{
    private sealed class Linked : IAsyncDisposable
    {
        public required FakeHome Home { get; init; }

        public required InProcessAgent Agent { get; init; }

        public required string Mount { get; init; }

        public static async Task<Linked> StartAsync(int forwardTimeoutSeconds)
        {
            Prerequisites.RequireRoot();
            Prerequisites.RequireFuse();
            Prerequisites.RequireCommand("python3", "python3");
            var home = FakeHome.Start();
            var mount = Directory.CreateTempSubdirectory("ssi-link-").FullName;
            var agent = await InProcessAgent.StartAsync(
                "node2",
                "--Agent:NodeIndex=1",
                "--Filesystem:Enabled=true",
                $"--Filesystem:MountPath={mount}",
                "--Filesystem:HomeNode=node1",
                "--Filesystem:HomeEndpoint=127.0.0.1:7443",
                $"--Filesystem:LinkPort={home.Port}",
                $"--Filesystem:ForwardTimeoutSeconds={forwardTimeoutSeconds}");
            home.Serve(agent.Authority);
            await agent.FilesystemStatusAsync(s => s.Mounted);
            return new Linked { Home = home, Agent = agent, Mount = mount };
        }

        /// <summary>python3 stats <paramref name="name"/> in the mount and prints "size N" or "errno N".</summary>
        public Process Stat(string name) => HomeLinkTests.Python(
            """
            import os, signal, sys
            signal.signal(signal.SIGUSR1, lambda *_: None)
            try:
                print("size", os.stat(sys.argv[1]).st_size, flush=True)
            except OSError as e:
                print("errno", e.errno, flush=True)
            """,
            Path.Combine(Mount, name));

        public Process Python(string script, params string[] arguments) => HomeLinkTests.Python(script, arguments);

        public async ValueTask DisposeAsync()
        {
            await Agent.DisposeAsync();
            Home.Dispose();
            Directory.Delete(Mount);
        }
    }

    [Fact]
    public async Task Replies_reach_their_own_requests_in_whatever_order_the_home_sends_them()
    {
        await using var linked = await Linked.StartAsync(forwardTimeoutSeconds: 60);
        using var first = linked.Stat("first");
        var firstLookup = linked.Home.Next(FuseOpcode.Lookup);
        using var second = linked.Stat("second");
        var secondLookup = linked.Home.Next(FuseOpcode.Lookup);

        linked.Home.Reply(Entry(secondLookup, node: 3, size: 222));
        Assert.Equal("size 222", await Output(second));
        linked.Home.Reply(Entry(firstLookup, node: 2, size: 111));

        Assert.Equal("size 111", await Output(first));
        Assert.Equal("first", Name(firstLookup));
        Assert.Equal("second", Name(secondLookup));
    }

    [Fact]
    public async Task A_request_the_home_does_not_answer_in_time_fails_with_EIO()
    {
        await using var linked = await Linked.StartAsync(forwardTimeoutSeconds: 1);
        using var stat = linked.Stat("never-answered");
        linked.Home.Next(FuseOpcode.Lookup);

        Assert.Equal($"errno {Errno.EIO}", await Output(stat));
    }

    [Fact]
    public async Task An_interrupted_lock_wait_reaches_the_home_as_an_INTERRUPT_of_that_request()
    {
        await using var linked = await Linked.StartAsync(forwardTimeoutSeconds: 60);
        using var locker = linked.Python(
            """
            import fcntl, os, signal, struct, sys
            signal.signal(signal.SIGUSR1, lambda *_: print("signalled", flush=True))
            fd = os.open(sys.argv[1], os.O_RDWR)
            print("open", flush=True)
            fcntl.fcntl(fd, fcntl.F_SETLKW, struct.pack("hhqqi4x", fcntl.F_WRLCK, 0, 0, 0, 0))
            print("locked", flush=True)
            """,
            Path.Combine(linked.Mount, "locked"));
        linked.Home.Reply(Entry(linked.Home.Next(FuseOpcode.Lookup), node: 2, size: 0));
        linked.Home.Reply(Opened(linked.Home.Next(FuseOpcode.Open), handle: 9));
        Assert.Equal("open", await Output(locker));
        var wait = linked.Home.Next(FuseOpcode.SetLkW);

        ProcessSignals.Send(locker.Id, 10); // SIGUSR1: Python runs the handler and retries the wait
        var interrupt = linked.Home.Next(FuseOpcode.Interrupt);
        Assert.Equal(Unique(wait), BinaryPrimitives.ReadUInt64LittleEndian(interrupt.AsSpan(FuseProtocol.InHeaderSize)));
        Assert.Equal(Unique(wait) | 1, Unique(interrupt));
        linked.Home.Reply(FuseReply.Error(new byte[16], Unique(wait), Errno.EINTR));
        Assert.Equal("signalled", await Output(locker));
        var again = linked.Home.Next(FuseOpcode.SetLkW);
        linked.Home.Reply(FuseReply.Error(new byte[16], Unique(again), 0));

        Assert.Equal("locked", await Output(locker));
    }

    [Fact]
    public async Task An_interrupted_request_that_is_no_lock_wait_gets_its_reply()
    {
        await using var linked = await Linked.StartAsync(forwardTimeoutSeconds: 60);
        using var stat = linked.Stat("slow");
        var lookup = linked.Home.Next(FuseOpcode.Lookup);

        ProcessSignals.Send(stat.Id, 10); // SIGUSR1: the script catches it
        await Task.Delay(200);
        linked.Home.Reply(Entry(lookup, node: 4, size: 44));

        Assert.Equal("size 44", await Output(stat));
    }

    [Fact]
    public async Task A_node_that_reconnects_tells_the_home_what_its_kernel_holds()
    {
        await using var linked = await Linked.StartAsync(forwardTimeoutSeconds: 60);
        Assert.Empty(linked.Home.NextLink());
        using (var stat = linked.Stat("kept"))
        {
            linked.Home.Reply(Entry(linked.Home.Next(FuseOpcode.Lookup), node: 5, size: 55));
            Assert.Equal("size 55", await Output(stat));
        }

        linked.Home.Drop();

        Assert.Contains((5UL, 1L), linked.Home.NextLink());
    }

    private static ulong Unique(byte[] request) => BinaryPrimitives.ReadUInt64LittleEndian(request.AsSpan(8));

    private static string Name(byte[] lookup) => System.Text.Encoding.UTF8.GetString(lookup.AsSpan(FuseProtocol.InHeaderSize).TrimEnd((byte)0));

    private static byte[] Opened(byte[] open, ulong handle)
    {
        var buffer = new byte[FuseProtocol.OutHeaderSize + 16];
        var reply = new FuseReply(buffer);
        reply.OpenOut(handle, 0);
        return reply.Finish(Unique(open)).ToArray();
    }

    private static byte[] Entry(byte[] lookup, ulong node, ulong size)
    {
        var buffer = new byte[FuseProtocol.OutHeaderSize + FuseProtocol.EntryOutSize];
        var reply = new FuseReply(buffer);
        var attributes = new NodeAttributes(node, size, 1, 0, 0, 0, 0, 0, 0, 0x81a4, 1, 0, 0, 0, 4096);
        reply.Entry(new FileEntry(node, 0, attributes, TimeSpan.FromHours(1), TimeSpan.FromHours(1)));
        return reply.Finish(Unique(lookup)).ToArray();
    }

    private static Process Python(string script, params string[] arguments)
    {
        var info = new ProcessStartInfo("python3") { RedirectStandardOutput = true, UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(script);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        return Process.Start(info)!;
    }

    private static async Task<string> Output(Process process)
    {
        var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return line ?? "";
    }
}
