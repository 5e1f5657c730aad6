using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Ssi.Agent.Contracts.Security;
using Ssi.Agent.Filesystem.Fuse;
using Ssi.Agent.Hosting;
using Ssi.Agent.Native.Fuse;

namespace Ssi.Agent.Devices;

/// <summary>
/// Mounts the other nodes' devices at /run/ssi/dev/NODE/NAME on this node; unmounts when the agent
/// stops. The peers come from <c>Devices:Peers</c>, which the cluster topology file keeps current:
/// a node that joins gets a directory, a node whose agent moved is reached at its new endpoint, a
/// node that left is no longer listed.
/// </summary>
internal sealed class DeviceMountHost(
    IOptionsMonitor<DevicesOptions> options,
    IOptions<AgentOptions> agent,
    AgentCredentials credentials,
    ILoggerFactory loggers) : BackgroundService
{
    private readonly ILogger _logger = loggers.CreateLogger<DeviceMountHost>();
    private readonly SemaphoreSlim _update = new(1, 1);

    /// <summary>True while the remote devices are mounted.</summary>
    public bool Mounted { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.CurrentValue;
        var peers = Peers(o);
        // With a topology file, nodes may join later: mount even while this is the only one.
        if (peers.Count == 0 && string.IsNullOrEmpty(agent.Value.TopologyFile))
        {
            return;
        }

        var fs = new RemoteDeviceFileSystem(peers.Select(p => Connect(p.Name, p.Endpoint, o)), _logger);
        _ = FuseDevice.TryUnmount(o.MountPath); // left by an agent that crashed (a dead mount: the directory cannot even be looked at)
        Directory.CreateDirectory(o.MountPath);
        var device = FuseDevice.Mount(o.MountPath, $"ssi-dev:{agent.Value.Cluster}");
        fs.Attach(device);
        var session = new FuseSession(device, fs, passthrough: false, _logger);
        session.Start(o.Threads);
        Mounted = true;
        DeviceLog.Mounted(_logger, o.MountPath, string.Join(", ", peers.Select(p => p.Name)));
        using var changes = options.OnChange(changed => _ = UpdateAsync(fs, changed));
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
            Mounted = false;
            await Task.WhenAny(session.Stopped, Task.Delay(TimeSpan.FromSeconds(2), CancellationToken.None)).ConfigureAwait(false);
            session.Dispose();
            foreach (var peer in fs.Peers)
            {
                peer.Dispose();
            }
        }
    }

    /// <summary>Brings the mount's peers in line with the options: new nodes added, moved ones retargeted, gone ones hidden.</summary>
    private async Task UpdateAsync(RemoteDeviceFileSystem fs, DevicesOptions o)
    {
        await _update.WaitAsync().ConfigureAwait(false);
        try
        {
            var wanted = Peers(o).ToDictionary(p => p.Name, p => p.Endpoint, StringComparer.Ordinal);
            foreach (var peer in fs.Peers)
            {
                var endpoint = wanted.GetValueOrDefault(peer.Name);
                if (endpoint != peer.Endpoint || peer.Present != (endpoint is not null))
                {
                    DeviceLog.PeerMoved(_logger, peer.Name, endpoint ?? "(left the cluster)");
                    await peer.RetargetAsync(endpoint).ConfigureAwait(false);
                }

                wanted.Remove(peer.Name);
            }

            foreach (var (name, endpoint) in wanted)
            {
                DeviceLog.PeerMoved(_logger, name, endpoint);
                fs.Add(Connect(name, endpoint, o));
            }
        }
        catch (OptionsValidationException e)
        {
            DeviceLog.PeersInvalid(_logger, e.Message);
        }
        finally
        {
            _update.Release();
        }
    }

    private PeerDevices Connect(string name, string endpoint, DevicesOptions o) => new(
        agent.Value.Node,
        name,
        endpoint,
        e => AgentChannelFactory.Create(new Uri($"https://{e}"), name, credentials),
        TimeSpan.FromMilliseconds(o.ListingCacheMilliseconds),
        _logger);

    private List<(string Name, string Endpoint)> Peers(DevicesOptions o) =>
        o.Peers.Select(Parse).Where(p => p.Name != agent.Value.Node).ToList();

    /// <summary>name=host:port.</summary>
    private static (string Name, string Endpoint) Parse(string peer)
    {
        var equals = peer.IndexOf('=', StringComparison.Ordinal);
        return equals > 0 ? (peer[..equals], peer[(equals + 1)..]) : throw new OptionsValidationException(DevicesOptions.Section, typeof(DevicesOptions), [$"peer \"{peer}\" is not name=host:port"]);
    }

    public override void Dispose()
    {
        _update.Dispose();
        base.Dispose();
    }
}
