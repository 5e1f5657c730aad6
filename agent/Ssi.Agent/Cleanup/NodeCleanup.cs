using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Ssi.Agent.Devices;
using Ssi.Agent.Filesystem;
using Ssi.Agent.Hosting;
using Ssi.Agent.Migration.Relay;

namespace Ssi.Agent.Cleanup;

/// <summary>
/// What an agent does before its cluster goes away: stop the shared filesystem and the remote device
/// mounts (their hosts unmount as when the agent stops), end every relay, and remove the node's runtime
/// state (state directory, checkpoint images). Workloads keep running. Once done it stays done.
/// </summary>
internal sealed class NodeCleanup(
    FilesystemHost filesystem,
    DeviceMountHost devices,
    HomeObjectRegistry homeObjects,
    StandInRegistry standIns,
    IOptions<AgentOptions> agent,
    IOptions<FilesystemOptions> filesystemOptions,
    IOptions<DevicesOptions> devicesOptions,
    ILogger<NodeCleanup> logger)
{
    private readonly SemaphoreSlim _once = new(1, 1);

    public bool Done { get; private set; }

    public async Task<CleanupReport> RunAsync(CancellationToken cancellationToken)
    {
        await _once.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var report = new CleanupReport();
            if (Done)
            {
                report.Actions.Add("Already cleaned up.");
                return report;
            }

            await filesystem.StopAsync(cancellationToken).ConfigureAwait(false);
            if (filesystemOptions.Value.Enabled)
            {
                report.Actions.Add($"Unmounted the shared filesystem at {filesystemOptions.Value.MountPath}.");
            }

            var devicesMounted = devices.Mounted;
            await devices.StopAsync(cancellationToken).ConfigureAwait(false);
            if (devicesMounted)
            {
                report.Actions.Add($"Unmounted the remote devices at {devicesOptions.Value.MountPath}.");
            }

            report.Actions.Add($"Ended {homeObjects.Clear()} relayed objects kept home and {standIns.Clear()} stand-ins.");
            Remove(agent.Value.StateDirectory, report);
            Remove(Path.Combine(agent.Value.ImageDirectory, agent.Value.Node), report);
            Done = true;
            CleanupLog.CleanedUp(logger, report.Actions.Count, report.Failures.Count);
            return report;
        }
        finally
        {
            _once.Release();
        }
    }

    private static void Remove(string? directory, CleanupReport report)
    {
        if (string.IsNullOrEmpty(directory) || !Directory.Exists(directory))
        {
            return;
        }

        try
        {
            Directory.Delete(directory, recursive: true);
            report.Actions.Add($"Removed {directory}.");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            report.Failures.Add($"Could not remove {directory}: {e.Message}");
        }
    }
}
