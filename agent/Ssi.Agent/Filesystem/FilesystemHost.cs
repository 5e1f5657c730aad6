using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Ssi.Agent.Contracts.Security;
using Ssi.Agent.Filesystem.Coherency;
using Ssi.Agent.Filesystem.Fuse;
using Ssi.Agent.Filesystem.Local;
using Ssi.Agent.Filesystem.Forwarding;
using Ssi.Agent.Filesystem.Locks;
using Ssi.Agent.Hosting;
using Ssi.Agent.Native.Fuse;
using Ssi.Agent.Security;

namespace Ssi.Agent.Filesystem;

/// <summary>
/// Mounts the shared filesystem at its path on this node: served from the backing directory on
/// the home node, forwarded to the home everywhere else (cfs); in pvc mode the volume is bind-mounted
/// there instead (<see cref="SharedVolume"/>). Unmounts when the agent stops.
/// </summary>
internal sealed class FilesystemHost(
    IOptions<FilesystemOptions> options,
    IOptions<AgentOptions> agent,
    AgentCredentials credentials,
    ClientCertificatePolicy clientPolicy,
    CoherencyHub hub,
    LockManager locks,
    NodeLiveness liveness,
    FilesystemRole role,
    SharedVolume volume,
    ILoggerFactory loggers) : BackgroundService
{
    private readonly ILogger _logger = loggers.CreateLogger<FilesystemHost>();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        if (!o.Enabled)
        {
            return;
        }

        if (o.Mode == FilesystemOptions.ModePvc)
        {
            await volume.RunAsync(stoppingToken).ConfigureAwait(false);
            return;
        }

        _ = FuseDevice.TryUnmount(o.MountPath); // a mount left by an agent that crashed (dead: not even stat works on it)
        Directory.CreateDirectory(o.MountPath);
        var isHome = o.HomeNode == agent.Value.Node;
        var roleName = isHome ? "home" : "forwarding";
        role.Report(roleName, false, false, "Mounting.");
        FuseSession session;
        LocalFileSystem? local = null;
        HomeLink? link = null;
        LinkListener? links = null;
        var watching = Task.CompletedTask; // the home invalidates its own kernel directly
        Action<int, bool>? gone = null;
        Action<int, IReadOnlyList<(ulong Node, ulong Handle)>>? reported = null;
        if (isHome)
        {
            // Node ids kept with the agent's state: other nodes keep their files across a restart of this agent.
            var idFile = agent.Value.StateDirectory is { } state ? Path.Combine(state, "filesystem", "node-ids") : null;
            local = new LocalFileSystem(o.BackingDirectory, TimeSpan.FromSeconds(o.CacheTimeoutSeconds), idFile, o.RetainedInodes);
            var dispatcher = new FuseDispatcher(local, hub, locks, loggers.CreateLogger<FuseDispatcher>());
            var device = FuseDevice.Mount(o.MountPath, $"ssi:{agent.Value.Cluster}");
            hub.AttachHome(agent.Value.NodeIndex, device);
            gone = (index, restarted) =>
            {
                FsLog.NodeGone(_logger, index, restarted);
                dispatcher.NodeGone(index, restarted);
            };
            liveness.Gone += gone;
            reported = dispatcher.OpenFilesReported;
            hub.OpenFilesReported += reported;
            if (local.KnewIds)
            {
                dispatcher.HoldPassthrough(liveness.Grace);
            }

            dispatcher.AttachLocalMount(device);
            session = new FuseSession(device, dispatcher, passthrough: o.Passthrough, _logger, locks: true);
            session.Start(o.Threads);
            var listen = new System.Net.IPEndPoint(System.Net.IPAddress.Parse(agent.Value.ListenAddress), LinkEndpoints.ListenPort(agent.Value.Port, o.LinkPort));
            links = new LinkListener(listen, credentials, clientPolicy, dispatcher, hub, _logger);
            links.Start();
            _ = session.Initialized.ContinueWith(
                _ =>
                {
                    if (session.Passthrough)
                    {
                        dispatcher.EnablePassthrough();
                    }
                },
                TaskScheduler.Default);
            FsLog.Mounted(_logger, o.MountPath, "home", o.BackingDirectory);
        }
        else
        {
            var device = FuseDevice.Mount(o.MountPath, $"ssi:{agent.Value.Cluster}");
            // This run of the mount: the home drops what an earlier run held when it sees another.
            var incarnation = BitConverter.ToUInt64(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8)) | 1;
            link = new HomeLink(LinkEndpoints.Target(o.HomeEndpoint, o.LinkPort), o.HomeNode, credentials, agent.Value.NodeIndex, incarnation, device, TimeSpan.FromSeconds(o.ForwardTimeoutSeconds), TimeSpan.FromSeconds(o.CacheTimeoutSeconds), _logger);
            link.Start();
            watching = link.Registered;
            session = new FuseSession(device, link, passthrough: false, _logger, locks: true);
            session.Start(o.Threads);
            FsLog.Mounted(_logger, o.MountPath, $"forwarding to {o.HomeNode} at {o.HomeEndpoint}", "-");
        }

        try
        {
            // The kernel sends INIT as soon as the filesystem is mounted.
            await session.Initialized.WaitAsync(TimeSpan.FromSeconds(30), stoppingToken).ConfigureAwait(false);
            // After INIT: the kernel sets the read-ahead from INIT's answer.
            _ = FuseDevice.SetReadAhead(o.MountPath, o.ReadAheadKilobytes);
            role.Report(roleName, false, session.Passthrough, $"Mounted; waiting for the home ({o.HomeNode}) to register this node for cache invalidations.");
            // Mounted means coherent: a forwarding node is ready once the home will tell it about changes.
            await watching.WaitAsync(stoppingToken).ConfigureAwait(false);
            role.Report(roleName, true, session.Passthrough, "");
            await Task.Delay(Timeout.Infinite, stoppingToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            role.Report(roleName, false, false, "The kernel did not initialise the FUSE mount within 30 s.");
            await Task.Delay(Timeout.Infinite, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
        finally
        {
            if (gone is not null)
            {
                liveness.Gone -= gone;
            }

            if (reported is not null)
            {
                hub.OpenFilesReported -= reported;
            }

            _ = FuseDevice.TryUnmount(o.MountPath);
            role.Report(roleName, false, false, "Unmounted.");
            await Task.WhenAny(session.Stopped, Task.Delay(TimeSpan.FromSeconds(2), CancellationToken.None)).ConfigureAwait(false);
            link?.Dispose();
            links?.Dispose();
            session.Dispose();
            local?.Dispose();
        }
    }
}
