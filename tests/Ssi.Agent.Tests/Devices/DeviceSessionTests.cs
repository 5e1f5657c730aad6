using System.Collections.Concurrent;
using Google.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Ssi.Agent.Contracts.V1;
using Ssi.Agent.Devices;
using Ssi.Agent.Native;
using Ssi.Agent.Native.Terminals;

namespace Ssi.Agent.Tests.Devices;

/// <summary>The owning node's side of a session, on real devices and a real pty, without the network.</summary>
public sealed class DeviceSessionTests : IDisposable
{
    private const int O_RDONLY = 0;
    private const int O_RDWR = 2;
    private readonly DevicePoller _poller = new();
    private readonly DeviceRegistry _registry = new();
    private readonly BlockingCollection<DeviceEvent> _sent = [];
    private readonly int _master;
    private readonly string _slave;
    private readonly DeviceSession _session;

    public DeviceSessionTests()
    {
        (_master, _slave) = Pty.Open();
        var exports = new DeviceExportTable(
            new FixedOptionsMonitor<DevicesOptions>(new DevicesOptions { Exports = ["/dev/null", "/dev/zero", "/dev/full", _slave] }),
            NullLogger<DeviceExportTable>.Instance);
        _session = new DeviceSession("node3", exports, _poller, _registry, _sent.Add, NullLogger.Instance);
    }

    private string SlaveName => DeviceExportTable.NameOf(_slave);

    public void Dispose()
    {
        _session.Dispose();
        _poller.Dispose();
        FileDescriptor.Close(_master);
        _sent.Dispose();
    }

    private ulong Open(string name, int flags = O_RDWR)
    {
        var reply = _session.Run(new DeviceCall { Id = 1, Open = new OpenCall { Name = name, Flags = flags, Pid = 42, Command = "test" } })!;
        Assert.Equal(0, reply.Errno);
        return (ulong)reply.Result;
    }

    private DeviceEvent Later(ulong id)
    {
        Assert.True(_sent.TryTake(out var e, TimeSpan.FromSeconds(30)), $"no reply for call {id}");
        Assert.Equal(id, e.Id);
        return e;
    }

    [Fact]
    public void A_name_that_is_not_exported_cannot_be_opened()
    {
        var reply = _session.Run(new DeviceCall { Id = 1, Open = new OpenCall { Name = "random", Flags = O_RDONLY } })!;

        Assert.Equal(2, reply.Errno); // ENOENT
    }

    [Fact]
    public void Errno_values_of_the_device_come_back_unchanged()
    {
        var full = Open("full");
        var readOnly = Open("null", O_RDONLY);

        Assert.Equal(28, _session.Run(new DeviceCall { Id = 2, Write = new WriteCall { Handle = full, Data = ByteString.CopyFromUtf8("x") } })!.Errno);   // ENOSPC
        Assert.Equal(9, _session.Run(new DeviceCall { Id = 3, Write = new WriteCall { Handle = readOnly, Data = ByteString.CopyFromUtf8("x") } })!.Errno); // EBADF
        Assert.Equal(9, _session.Run(new DeviceCall { Id = 4, Read = new ReadCall { Handle = 999_999, Size = 1 } })!.Errno);
    }

    [Fact]
    public void A_read_of_a_huge_length_is_clamped_to_one_MiB()
    {
        var zero = Open("zero", O_RDONLY);

        var reply = _session.Run(new DeviceCall { Id = 2, Read = new ReadCall { Handle = zero, Size = uint.MaxValue } })!;

        Assert.Equal(0, reply.Errno);
        Assert.Equal(DeviceSession.MaxRead, reply.Data.Length);
    }

    [Fact]
    public void A_blocking_read_is_answered_when_data_arrives_and_a_non_blocking_one_gets_EAGAIN()
    {
        var tty = Open(SlaveName);

        Assert.Equal(11, _session.Run(new DeviceCall { Id = 2, Read = new ReadCall { Handle = tty, Size = 64, Nonblocking = true } })!.Errno);
        Assert.Null(_session.Run(new DeviceCall { Id = 3, Read = new ReadCall { Handle = tty, Size = 64 } }));
        FileDescriptor.WriteAll(_master, "data\n"u8);

        Assert.Equal("data\n", Later(3).Data.ToStringUtf8());
    }

    [Fact]
    public void A_cancelled_blocking_read_ends_with_EINTR()
    {
        var tty = Open(SlaveName);
        Assert.Null(_session.Run(new DeviceCall { Id = 3, Read = new ReadCall { Handle = tty, Size = 64 } }));

        Assert.Null(_session.Run(new DeviceCall { Id = 4, Cancel = 3 }));

        Assert.Equal(4, Later(3).Errno); // EINTR
    }

    [Fact]
    public void Poll_with_notify_sends_a_readiness_event_for_the_kernel_handle()
    {
        var tty = Open(SlaveName);

        var poll = _session.Run(new DeviceCall { Id = 2, Poll = new PollCall { Handle = tty, Events = 1, Notify = true, KernelHandle = 77 } })!;
        Assert.Equal(0, poll.Result & 1);
        FileDescriptor.WriteAll(_master, "x\n"u8);

        Assert.Equal(77UL, Later(0).Ready);
        Assert.Equal(1, _session.Run(new DeviceCall { Id = 3, Poll = new PollCall { Handle = tty, Events = 1 } })!.Result & 1);
    }

    [Fact]
    public void Ioctls_run_on_the_device_and_unknown_or_oversized_ones_are_refused()
    {
        var tty = Open(SlaveName);

        var tcgets = _session.Run(new DeviceCall { Id = 2, Ioctl = new IoctlCall { Handle = tty, Command = 0x5401 } })!;
        Assert.Equal((0, 36), (tcgets.Errno, tcgets.Data.Length));
        Assert.Equal(25, _session.Run(new DeviceCall { Id = 3, Ioctl = new IoctlCall { Handle = tty, Command = 0x5499 } })!.Errno); // ENOTTY
        var tooLong = new IoctlCall { Handle = tty, Command = 0x5414, Input = ByteString.CopyFrom(new byte[64]) };
        Assert.Equal(22, _session.Run(new DeviceCall { Id = 4, Ioctl = tooLong })!.Errno); // EINVAL
    }

    [Fact]
    public void FIONREAD_on_the_owner_counts_what_the_terminal_holds()
    {
        // Through /run/ssi/dev the kernel answers FIONREAD itself (regular file); the session carries it.
        var tty = Open(SlaveName);
        FileDescriptor.WriteAll(_master, "12345\n"u8);
        // The line discipline moves the bytes to the slave's queue asynchronously: wait until readable.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while ((_session.Run(new DeviceCall { Id = 9, Poll = new PollCall { Handle = tty, Events = 1 } })!.Result & 1) == 0 && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(1);
        }

        var reply = _session.Run(new DeviceCall { Id = 2, Ioctl = new IoctlCall { Handle = tty, Command = 0x541B } })!;

        Assert.Equal(0, reply.Errno);
        Assert.Equal(6, BitConverter.ToInt32(reply.Data.Span));
    }

    [Fact]
    public void Openers_are_listed_until_released_or_the_session_ends()
    {
        var zero = Open("zero", O_RDONLY);
        Assert.Equal(("node3", 42u, "test"), _registry.OpenersOf("/dev/zero").Select(o => (o.Node, o.Pid, o.Command)).Single());

        Assert.Equal(0, _session.Run(new DeviceCall { Id = 2, Release = new ReleaseCall { Handle = zero } })!.Errno);
        Assert.Empty(_registry.OpenersOf("/dev/zero"));

        Open("null");
        _session.Dispose();
        Assert.Empty(_registry.OpenersOf("/dev/null"));
    }
}
