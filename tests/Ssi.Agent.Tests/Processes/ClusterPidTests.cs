using Ssi.Agent.Contracts.Processes;

namespace Ssi.Agent.Tests.Processes;

public sealed class ClusterPidTests
{
    [Theory]
    [InlineData(0, 1, 1_000_001)]
    [InlineData(2, 42, 3_000_042)]
    [InlineData(63, 999_999, 64_999_999)]
    public void Encodes_the_origin_node_and_the_local_number(int node, long local, long expected)
    {
        var pid = ClusterPid.Create(node, local);

        Assert.Equal(expected, pid.Value);
        Assert.Equal(node, pid.OriginNodeIndex);
        Assert.Equal(local, pid.LocalNumber);
    }

    [Theory]
    [InlineData(-1, 1)]
    [InlineData(0, 0)]
    [InlineData(0, 1_000_000)]
    public void Refuses_numbers_out_of_range(int node, long local)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ClusterPid.Create(node, local));
    }

    [Theory]
    [InlineData("1000001", true)]
    [InlineData("abc", false)]
    [InlineData("-5", false)]
    [InlineData("42", false)]
    [InlineData("2000000", false)]
    public void Parses_what_users_type(string text, bool valid)
    {
        Assert.Equal(valid, ClusterPid.TryParse(text, out _, out var reason));
        Assert.Equal(valid, reason.Length == 0);
    }
}
