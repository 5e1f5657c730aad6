using Ssi.Agent.Migration.Planning;

namespace Ssi.Agent.Tests.Migration;

public sealed class SocketTablesTests
{
    [Fact]
    public void Unix_lines_give_inode_state_and_peer()
    {
        var sockets = SocketTables.ParseUnix("u_str ESTAB 0      0      * 1667 * 1668\nu_str LISTEN 0 4096 /ssi/app.sock 2001 * 0\n").ToList();

        Assert.Equal(new SocketInfo(1667, "u_str", "ESTAB", "*", 1668), sockets[0]);
        Assert.Equal(new SocketInfo(2001, "u_str", "LISTEN", "/ssi/app.sock", 0), sockets[1]);
    }

    [Fact]
    public void Inet_lines_give_inode_state_and_both_addresses_and_skip_inode_zero()
    {
        var sockets = SocketTables.ParseInet(
            "tcp LISTEN    0      128               0.0.0.0:2024             0.0.0.0:*     ino:1671 sk:3 cgroup:/ <->\n" +
            "tcp TIME-WAIT 0      0      [::ffff:127.0.0.1]:32902 [::ffff:127.0.0.1]:42407 timer:(timewait,53sec,0) ino:0 sk:100f\n" +
            "tcp ESTAB     0      0               127.0.0.1:38022          127.0.0.1:23456 ino:27433148 sk:5 cgroup:/ <->\n").ToList();

        Assert.Equal(
            [new SocketInfo(1671, "tcp", "LISTEN", "0.0.0.0:2024", 0, "0.0.0.0:*"), new SocketInfo(27433148, "tcp", "ESTAB", "127.0.0.1:38022", 0, "127.0.0.1:23456")],
            sockets);
    }
}
