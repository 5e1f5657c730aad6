using Ssi.Cli.Local;

namespace Ssi.Cli.Tests.Local;

public sealed class HostParsingTests
{
    [Fact]
    public void State_and_start_time_are_fields_3_and_22_even_when_the_command_has_spaces_and_parentheses()
    {
        const string stat = "4242 (my (odd) cmd) S 1 4242 4242 0 -1 4194560 120 0 0 0 1 2 0 0 20 0 1 0 987654 1000 100 18446744073709551615";

        Assert.Equal(('S', 987654UL), ProcessIdentity.ParseStat(stat));
    }

    [Fact]
    public void Start_time_of_our_own_process_is_read()
    {
        Assert.NotNull(ProcessIdentity.StartTime(Environment.ProcessId));
        Assert.Null(ProcessIdentity.StartTime(int.MaxValue));
    }

    [Fact]
    public void Mount_point_escapes_are_undone()
    {
        const string line = @"36 35 98:0 /mnt1 /run/ssi\040dir/x rw,noatime master:1 - ext3 /dev/root rw,errors=continue";

        Assert.Equal("/run/ssi dir/x", LocalClusterTeardown.ParseMountPoint(line));
    }

    [Fact]
    public void Namespace_list_with_ids_is_parsed()
    {
        Assert.Equal(["ssi.a.n1", "ssi.a", "other"], LocalClusterTeardown.ParseNamespaceList("ssi.a.n1 (id: 3)\nssi.a (id: 2)\nother\n"));
    }
}
