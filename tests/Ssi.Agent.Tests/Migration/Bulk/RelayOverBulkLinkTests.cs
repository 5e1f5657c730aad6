using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Ssi.Agent.Migration.Bulk;
using Ssi.Agent.Migration.Relay;
using Ssi.Agent.Native;

namespace Ssi.Agent.Tests.Migration.Bulk;

/// <summary>
/// A home object and its stand-ins, in this process, over bulk links on loopback TCP (without TLS:
/// the relay does not care what carries its frames): bytes, order, end of file and detaching.
/// </summary>
public sealed class RelayOverBulkLinkTests : IDisposable
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly List<IDisposable> _owned = [];

    public RelayOverBulkLinkTests()
    {
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(4);
    }

    [Fact]
    public async Task A_stand_in_reads_what_is_written_at_home_in_order_then_end_of_file()
    {
        var (homeRead, homeWrite) = FileDescriptor.Pipe();
        using var home = Home("pipe", RelayDirection.Read, homeRead);
        var (processEnd, agentEnd) = FileDescriptor.Pipe();
        var standIn = Own(new StandIn("pipe:[1]", home.Id, "node1", "-", "pipe", RelayDirection.Read, agentEnd, NullLogger.Instance));
        var relay = Relay(home, standIn);
        var data = Pattern(5 * 1024 * 1024 + 17);

        var writer = Task.Run(() =>
        {
            FileDescriptor.WriteAll(homeWrite, data);
            FileDescriptor.Close(homeWrite);
        });
        var received = ReadToEnd(processEnd);

        Assert.Equal(data, received);
        await writer;
        await relay.WaitAsync(TimeSpan.FromSeconds(10));
        await home.Finished.WaitAsync(TimeSpan.FromSeconds(10));
        FileDescriptor.Close(processEnd);
    }

    [Fact]
    public async Task What_the_moved_process_writes_reaches_the_home_and_its_end_of_file_too()
    {
        var (homeRead, homeWrite) = FileDescriptor.Pipe();
        using var home = Home("pipe", RelayDirection.Write, homeWrite);
        var (agentEnd, processEnd) = FileDescriptor.Pipe();
        var standIn = Own(new StandIn("pipe:[2]", home.Id, "node1", "-", "pipe", RelayDirection.Write, agentEnd, NullLogger.Instance));
        var relay = Relay(home, standIn);
        var data = Pattern(3 * 1024 * 1024 + 5);

        var writer = Task.Run(() =>
        {
            FileDescriptor.WriteAll(processEnd, data);
            FileDescriptor.Close(processEnd);
        });
        var received = ReadToEnd(homeRead);

        Assert.Equal(data, received);
        await writer;
        await relay.WaitAsync(TimeSpan.FromSeconds(10));
        FileDescriptor.Close(homeRead);
    }

    [Fact]
    public async Task A_stand_in_that_moves_on_gives_back_what_its_process_did_not_read_and_the_next_one_goes_on_from_there()
    {
        var (homeRead, homeWrite) = FileDescriptor.Pipe();
        using var home = Home("pipe", RelayDirection.Read, homeRead);
        var (processEnd, agentEnd) = FileDescriptor.Pipe();
        var first = Own(new StandIn("pipe:[3]", home.Id, "node1", "-", "pipe", RelayDirection.Read, agentEnd, NullLogger.Instance));
        var firstRelay = Relay(home, first);
        var data = Pattern(64 * 1024);
        FileDescriptor.WriteAll(homeWrite, data);

        // The process reads a little, then moves on: its end goes with it (here: it is closed).
        var head = ReadExactly(processEnd, 1000);
        first.PrepareMoveOn(FileDescriptor.Duplicate(processEnd));
        FileDescriptor.Close(processEnd);
        first.MoveOn();
        await firstRelay.WaitAsync(TimeSpan.FromSeconds(10));

        var (nextProcessEnd, nextAgentEnd) = FileDescriptor.Pipe();
        var second = Own(new StandIn("pipe:[4]", home.Id, "node1", "-", "pipe", RelayDirection.Read, nextAgentEnd, NullLogger.Instance));
        var secondRelay = Relay(home, second);
        var tail = Pattern(10_000, seed: 3);
        FileDescriptor.WriteAll(homeWrite, tail);
        FileDescriptor.Close(homeWrite);

        var rest = ReadToEnd(nextProcessEnd);

        Assert.Equal(data.Concat(tail).ToArray(), head.Concat(rest).ToArray());
        await secondRelay.WaitAsync(TimeSpan.FromSeconds(10));
        FileDescriptor.Close(nextProcessEnd);
    }

    [Fact]
    public async Task A_stand_in_of_an_object_the_home_does_not_know_is_refused()
    {
        var (processEnd, agentEnd) = FileDescriptor.Pipe();
        var standIn = Own(new StandIn("pipe:[5]", "nothing", "node1", "-", "pipe", RelayDirection.Read, agentEnd, NullLogger.Instance));
        var (serverLink, clientLink) = Connect();
        var server = Task.Run(() =>
        {
            Assert.True(serverLink.Next(out var kind, out _));
            Assert.Equal(BulkFrameKind.Attach, kind);
            serverLink.Send(buffer => BulkFrame.Text(buffer, BulkFrameKind.Refused, "no relayed object nothing"));
            serverLink.Dispose();
        });

        var refused = Assert.Throws<BulkProtocolException>(() => standIn.Run(clientLink, "node2"));

        Assert.Contains("no relayed object nothing", refused.Message, StringComparison.Ordinal);
        await server;
        FileDescriptor.Close(processEnd);
    }

    private HomeObject Home(string kind, RelayDirection direction, int fd)
    {
        var home = new HomeObject($"node1.a.{fd}", kind, direction, fd, "a", NullLogger.Instance);
        home.Activate();
        // As the registry does: a finished object closes its descriptor.
        _ = home.Finished.ContinueWith(_ => home.Dispose(), TaskScheduler.Default);
        return home;
    }

    private T Own<T>(T item)
        where T : IDisposable
    {
        _owned.Add(item);
        return item;
    }

    /// <summary>Runs both ends over a fresh link; completes when the stand-in's side ended.</summary>
    private Task Relay(HomeObject home, StandIn standIn)
    {
        var (serverLink, clientLink) = Connect();
        var serving = new Thread(() =>
        {
            try
            {
                Assert.True(serverLink.Next(out var kind, out var payload));
                Assert.Equal(BulkFrameKind.Attach, kind);
                home.Serve(serverLink, BulkFrame.ReadAttach(payload).Node);
            }
            catch (IOException)
            {
            }
            finally
            {
                serverLink.Dispose();
            }
        }) { IsBackground = true };
        serving.Start();
        return Task.Factory.StartNew(
            () =>
            {
                try
                {
                    standIn.Run(clientLink, "node2");
                }
                finally
                {
                    // As the target does when a relay ends: the stand-in goes, its process sees end of file.
                    standIn.Dispose();
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
    }

    private (BulkConnection Server, BulkConnection Client) Connect()
    {
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        client.Connect(_listener.LocalEndPoint!);
        var server = _listener.Accept();
        var links = (new BulkConnection(new NetworkStream(server, ownsSocket: true), server), new BulkConnection(new NetworkStream(client, ownsSocket: true), client));
        _owned.Add(links.Item1);
        _owned.Add(links.Item2);
        return links;
    }

    private static byte[] Pattern(int length, int seed = 1)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    private static byte[] ReadToEnd(int fd)
    {
        var all = new MemoryStream();
        var buffer = new byte[256 * 1024];
        int n;
        while ((n = FileDescriptor.Read(fd, buffer)) > 0)
        {
            all.Write(buffer, 0, n);
        }

        return all.ToArray();
    }

    private static byte[] ReadExactly(int fd, int length)
    {
        var buffer = new byte[length];
        for (var at = 0; at < length;)
        {
            at += FileDescriptor.Read(fd, buffer.AsSpan(at));
        }

        return buffer;
    }

    public void Dispose()
    {
        _owned.ForEach(o => o.Dispose());
        _listener.Dispose();
    }
}
