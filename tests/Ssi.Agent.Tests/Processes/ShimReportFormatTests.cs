using System.Text;
using Ssi.Agent.Native.Processes;

namespace Ssi.Agent.Tests.Processes;

public sealed class ShimReportFormatTests
{
    public static TheoryData<ShimReport, string> Reports => new()
    {
        { ShimReport.Started(1, 2), "ssi-shim/1 started 1 2" },
        { ShimReport.Exited(2, new ExitStatus(7, 0)), "ssi-shim/1 exited 2 7 0" },
        { ShimReport.Exited(2, new ExitStatus(137, 9)), "ssi-shim/1 exited 2 137 9" },
        { ShimReport.Reaped(41, new ExitStatus(0, 0)), "ssi-shim/1 reaped 41 0 0" },
    };

    [Theory]
    [MemberData(nameof(Reports))]
    public void A_report_is_one_line_of_text_and_reads_back_the_same(ShimReport report, string text)
    {
        Assert.Equal(text, Encoding.ASCII.GetString(report.Encode()));
        Assert.Equal(report, ShimReport.Decode(report.Encode()));
    }

    [Theory]
    [InlineData("")]
    [InlineData("ssi-shim/1")]
    [InlineData("ssi-shim/2 started 1 2")]
    [InlineData("ssi-shim/1 started 1")]
    [InlineData("ssi-shim/1 started 1 2 3")]
    [InlineData("ssi-shim/1 exited 2 7")]
    [InlineData("ssi-shim/1 exited 2 256 0")]
    [InlineData("ssi-shim/1 exited 2 -1 0")]
    [InlineData("ssi-shim/1 exited 2 7 65")]
    [InlineData("ssi-shim/1 exited 0 7 0")]
    [InlineData("ssi-shim/1 exited 99999999999 7 0")]
    [InlineData("ssi-shim/1 exited +2 7 0")]
    [InlineData("ssi-shim/1 exited 2 7 0 ")]
    [InlineData("ssi-shim/1  exited 2 7 0")]
    [InlineData("ssi-shim/1 stopped 2 7 0")]
    [InlineData("ssi-shim/1 exited 2 7 0\n")]
    [InlineData("ssi-shim/1 reaped two 0 0")]
    public void Anything_else_is_not_a_report(string text)
    {
        Assert.Null(ShimReport.Decode(Encoding.ASCII.GetBytes(text)));
    }

    [Fact]
    public void Binary_and_oversized_datagrams_are_not_reports()
    {
        Assert.Null(ShimReport.Decode([0xff, 0x00, 0x13, 0x37]));
        Assert.Null(ShimReport.Decode(Encoding.ASCII.GetBytes("ssi-shim/1 exited 2 7 0" + new string(' ', ShimReport.MaxLength))));
    }
}
