using Ssi.Agent.Native.Processes;
using Ssi.Agent.Processes;

namespace Ssi.Agent.Tests.Processes;

public sealed class ProcParsingTests
{
    [Fact]
    public void Stat_line_is_parsed_even_with_a_command_holding_spaces_and_parentheses()
    {
        const string line = "4242 (my (odd) cmd) S 17 4242 4100 34816 4242 4194560 120 0 0 0 150 50 0 0 20 0 1 0 987654 1000 321 18446744073709551615";

        var stat = ProcStat.Parse(line)!;

        Assert.Equal(4242, stat.Pid);
        Assert.Equal("my (odd) cmd", stat.Command);
        Assert.Equal('S', stat.State);
        Assert.Equal(17, stat.ParentPid);
        Assert.Equal(4242, stat.ProcessGroup);
        Assert.Equal(4100, stat.Session);
        Assert.Equal(150, stat.UserTicks);
        Assert.Equal(50, stat.SystemTicks);
        Assert.Equal(987654UL, stat.StartTicks);
        Assert.Equal(321, stat.RssPages);
    }

    [Fact]
    public void Stat_of_this_process_is_read()
    {
        var stat = ProcStat.Read(Environment.ProcessId)!;

        Assert.Equal(Environment.ProcessId, stat.Pid);
        Assert.True(stat.RssPages > 0);
    }

    [Theory]
    [InlineData("NSpid:\t25206\t3", 3)]
    [InlineData("NSpid:\t812", 812)]
    [InlineData(null, null)]
    public void Namespace_pid_is_the_last_NSpid_value(string? line, int? expected)
    {
        Assert.Equal(expected, ProcFiles.ParseNamespacePid(line));
    }

    private static byte[] Datagram(uint what, params int[] data)
    {
        var bytes = new byte[52 + (data.Length * 4)];
        BitConverter.TryWriteBytes(bytes.AsSpan(16), 1u);   // cn_msg.id.idx = CN_IDX_PROC
        BitConverter.TryWriteBytes(bytes.AsSpan(20), 1u);   // cn_msg.id.val
        BitConverter.TryWriteBytes(bytes.AsSpan(36), what); // proc_event.what
        for (var i = 0; i < data.Length; i++)
        {
            BitConverter.TryWriteBytes(bytes.AsSpan(52 + (i * 4)), data[i]);
        }

        return bytes;
    }

    [Fact]
    public void Fork_event_carries_parent_and_child()
    {
        var e = ProcEvent.Parse(Datagram(0x1, 100, 100, 205, 205))!.Value;

        Assert.Equal(new ProcEvent(ProcEventKind.Fork, 205, 205, 100, 100, 0), e);
    }

    [Fact]
    public void Exit_event_carries_the_exit_code()
    {
        var e = ProcEvent.Parse(Datagram(0x80000000, 205, 205, 256, 17))!.Value;

        Assert.Equal(ProcEventKind.Exit, e.Kind);
        Assert.Equal(205, e.Tgid);
        Assert.Equal(256, e.ExitCode);
    }

    [Fact]
    public void Exec_event_and_unknown_events_and_short_datagrams()
    {
        Assert.Equal(ProcEventKind.Exec, ProcEvent.Parse(Datagram(0x2, 7, 7))!.Value.Kind);
        Assert.Null(ProcEvent.Parse(Datagram(0x4, 7, 7, 0, 0)));  // uid change
        Assert.Null(ProcEvent.Parse(new byte[20]));
    }
}
