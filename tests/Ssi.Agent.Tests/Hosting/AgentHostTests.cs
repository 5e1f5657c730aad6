using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace Ssi.Agent.Tests.Hosting;

public sealed class AgentHostTests
{
    [Fact]
    public async Task The_agent_watches_no_configuration_file_and_its_content_root_is_its_own_directory()
    {
        // An agent runs with "/" as its working directory: a reloadable appsettings.json there would
        // watch the node's whole tree with inotify (FUSE mounts and deep directories included).
        await using var agent = await InProcessAgent.StartAsync();

        var configuration = (IConfigurationRoot)agent.Service<IConfiguration>();
        var files = configuration.Providers.OfType<FileConfigurationProvider>().ToList();
        Assert.NotEmpty(files); // appsettings.json and appsettings.{environment}.json, optional
        Assert.DoesNotContain(files, p => p.Source.ReloadOnChange);
        Assert.Equal(
            Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory),
            Path.TrimEndingDirectorySeparator(agent.Service<IHostEnvironment>().ContentRootPath));
    }
}
