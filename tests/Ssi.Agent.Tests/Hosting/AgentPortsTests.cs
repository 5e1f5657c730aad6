using Ssi.Agent.Hosting;

namespace Ssi.Agent.Tests.Hosting;

public sealed class AgentPortsTests
{
    [Theory]
    [InlineData(7443, 0, 7445)]
    [InlineData(7443, 9100, 9100)]
    [InlineData(0, 0, 0)]
    public void Every_agent_takes_bulk_links_on_its_port_plus_two_unless_told(int agentPort, int bulkPort, int listen)
    {
        Assert.Equal(listen, AgentPorts.Listen(agentPort, bulkPort, AgentPorts.BulkLinkOffset));
    }

    [Theory]
    [InlineData("10.250.0.2:7443", 0, "10.250.0.2:7445")]
    [InlineData("node2.agents.ns.svc:7443", 9100, "node2.agents.ns.svc:9100")]
    [InlineData("[fd00::2]:7443", 0, "[fd00::2]:7445")]
    public void Other_agents_find_the_bulk_links_on_the_agents_host(string agentEndpoint, int bulkPort, string target)
    {
        Assert.Equal(target, AgentPorts.Target(agentEndpoint, bulkPort, AgentPorts.BulkLinkOffset));
    }

    [Theory]
    [InlineData("")]
    [InlineData("no-port")]
    [InlineData(":7443")]
    [InlineData("host:port")]
    public void An_endpoint_that_is_not_host_and_port_is_refused(string endpoint)
    {
        Assert.ThrowsAny<ArgumentException>(() => AgentPorts.Target(endpoint, 0, AgentPorts.BulkLinkOffset));
    }
}
