using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Json;

namespace Ssi.Agent.Tests.Hosting;

/// <summary>The agent's web host as <see cref="Ssi.Agent.Hosting.AgentHost.Build"/> makes it.</summary>
public sealed class AgentHostTests
{
    [Fact]
    public async Task The_host_watches_no_directory_for_configuration_changes()
    {
        // A content root whose every subdirectory is watched cost the home most of its processor time
        // per created file when it was "/" (an agent's working directory).
        await using var agent = await InProcessAgent.StartAsync();

        var environment = agent.Service<IWebHostEnvironment>();
        Assert.Equal(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory), Path.TrimEndingDirectorySeparator(environment.ContentRootPath));
        var root = Assert.IsAssignableFrom<IConfigurationRoot>(agent.Service<IConfiguration>());
        Assert.All(root.Providers.OfType<JsonConfigurationProvider>(), p => Assert.False(p.Source.ReloadOnChange, $"{p.Source.Path} is watched for changes"));
    }
}
