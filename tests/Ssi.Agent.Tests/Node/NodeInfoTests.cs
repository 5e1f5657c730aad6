using Ssi.Agent.Contracts.Security;
using Ssi.Agent.Contracts.V1;
using Ssi.Testing;

namespace Ssi.Agent.Tests.Node;

public sealed class NodeInfoTests
{
    [Fact]
    public async Task Agent_reports_identity_health_and_the_capabilities_of_this_machine()
    {
        Prerequisites.RequireRoot();
        Prerequisites.RequireFuse();
        Prerequisites.RequireCriu();
        await using var agent = await InProcessAgent.StartAsync("node7");
        using var channel = AgentChannelFactory.Create(agent.Address, "node7", AgentCredentials.FromDirectory(agent.Directory, "cli"));
        var client = new Contracts.V1.Node.NodeClient(channel);

        var health = await client.CheckHealthAsync(new CheckHealthRequest());
        var info = await client.GetNodeInfoAsync(new GetNodeInfoRequest());

        Assert.Equal(HealthStatus.Serving, health.Status);
        Assert.Equal("node7", info.Identity.Node);
        Assert.False(string.IsNullOrEmpty(info.Identity.KernelRelease));
        Assert.True(info.Capabilities.Criu.Available, info.Capabilities.Criu.Reason);
        Assert.True(info.Capabilities.Fuse.Available, info.Capabilities.Fuse.Reason);
        Assert.True(info.Capabilities.PidfdGetfd.Available, info.Capabilities.PidfdGetfd.Reason);
        Assert.True(info.Capabilities.Userfaultfd.Available, info.Capabilities.Userfaultfd.Reason);
    }
}
