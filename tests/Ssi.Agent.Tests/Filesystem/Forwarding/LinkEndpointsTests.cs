using Ssi.Agent.Filesystem.Forwarding;

namespace Ssi.Agent.Tests.Filesystem.Forwarding;

public sealed class LinkEndpointsTests
{
    [Theory]
    [InlineData(7443, 0, 7444)]
    [InlineData(7443, 9000, 9000)]
    [InlineData(0, 0, 0)]
    public void The_home_listens_on_the_agents_port_plus_one_unless_told(int agentPort, int linkPort, int listen)
    {
        Assert.Equal(listen, LinkEndpoints.ListenPort(agentPort, linkPort));
    }

    [Theory]
    [InlineData("10.250.0.1:7443", 0, "10.250.0.1:7444")]
    [InlineData("home.ns.svc:7443", 9000, "home.ns.svc:9000")]
    [InlineData("[fd00::1]:7443", 0, "[fd00::1]:7444")]
    public void The_other_nodes_find_the_links_on_the_homes_host(string homeEndpoint, int linkPort, string target)
    {
        Assert.Equal(target, LinkEndpoints.Target(homeEndpoint, linkPort));
    }
}
