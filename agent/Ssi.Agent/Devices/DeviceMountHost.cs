using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Ssi.Agent.Contracts.Security;
using Ssi.Agent.Filesystem.Fuse;
using Ssi.Agent.Hosting;
using Ssi.Agent.Native.Fuse;

namespace Ssi.Agent.Devices;

/// <summary>Mounts the other nodes' devices at /run/ssi/dev/NODE/NAME on this node; unmounts when the agent stops.</summary>
internal sealed class DeviceMountHost(
    IOptions<DevicesOptions> options,
    IOptions<AgentOptions> agent,
    AgentCredentials credentials,
    ILoggerFactory loggers) : BackgroundService
{
    private readonly ILogger _logger = loggers.CreateLogger<DeviceMountHost>();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        var peers = o.Peers.Select(Parse).Where(p => p.Name != agent.Value.Node).ToList();
        if (peers.Count == 0)
        {
            return;
        }

        var remote = peers.Select(p => new PeerDevices(
            agent.Value.Node,
            p.Name,
            AgentChannelFactory.Create(new Uri($"https://{p.Endpoint}"), p.Name, credentials),
            TimeSpan.FromMilliseconds(o.ListingCacheMilliseconds),
            _logger)).ToList();
        var fs = new RemoteDeviceFileSystem(remote, _logger);
        _ = FuseDevice.TryUnmount(o.MountPath); // left by an agent that crashed (a dead mount: the directory cannot even be looked at)
        Directory.CreateDirectory(o.MountPath);
        var device = FuseDevice.Mount(o.MountPath, $"ssi-dev:{agent.Value.Cluster}");
        fs.Attach(device);
        var session = new FuseSession(device, fs, passthrough: false, _logger);
        session.Start(o.Threads);
        DeviceLog.Mounted(_logger, o.MountPath, string.Join(", ", peers.Select(p => p.Name)));
        try
        {
            await Task.Delay(Timeout.Infinite, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
        finally
        {
            _ = FuseDevice.TryUnmount(o.MountPath);
            await Task.WhenAny(session.Stopped, Task.Delay(TimeSpan.FromSeconds(2), CancellationToken.None)).ConfigureAwait(false);
            session.Dispose();
            foreach (var peer in remote)
            {
                peer.Dispose();
            }
        }
    }

    /// <summary>name=host:port.</summary>
    private static (string Name, string Endpoint) Parse(string peer)
    {
        var equals = peer.IndexOf('=', StringComparison.Ordinal);
        return equals > 0 ? (peer[..equals], peer[(equals + 1)..]) : throw new OptionsValidationException(DevicesOptions.Section, typeof(DevicesOptions), [$"peer \"{peer}\" is not name=host:port"]);
    }
}
