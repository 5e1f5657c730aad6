using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Ssi.Agent.Node;

namespace Ssi.Agent.Hosting;

/// <summary>Logs the agent's start and stop, and starts the capability probe early.</summary>
internal sealed class AgentStartupService(
    AgentIdentity identity,
    NodeCapabilitiesProbe probe,
    IOptions<AgentOptions> options,
    ILogger<AgentStartupService> logger,
    IHostApplicationLifetime lifetime) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() =>
            AgentLog.Started(logger, AgentIdentity.Version, identity.Node, identity.NodeIndex, identity.Cluster, $"{options.Value.ListenAddress}:{options.Value.Port}"));
        lifetime.ApplicationStopping.Register(() => AgentLog.Stopping(logger));
        _ = probe.GetAsync();
        // A workload restored here by criu is reparented to the agent when criu exits: the agent reaps it.
        Native.Processes.ProcessControl.BecomeSubreaper();
        if (Migration.Landing.LandingMounts.ReleaseLeftOver(Path.Combine(options.Value.LandingMountDirectory, identity.Node)) is > 0 and var left)
        {
            AgentLog.LandingCopiesReleased(logger, left);
        }

        if (options.Value.ShimInstallDirectory is { } directory && Processes.ShimInstaller.Install(options.Value.ShimPath, directory) is { } installed)
        {
            AgentLog.ShimInstalled(logger, installed);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
