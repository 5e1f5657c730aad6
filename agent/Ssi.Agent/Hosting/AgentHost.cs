using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Ssi.Agent.Cleanup;
using Ssi.Agent.Contracts.Security;
using Ssi.Agent.Devices;
using Ssi.Agent.Filesystem;
using Ssi.Agent.Filesystem.Coherency;
using Ssi.Agent.Filesystem.Locks;
using Ssi.Agent.GrpcServices;
using Ssi.Agent.Migration;
using Ssi.Agent.Migration.Bulk;
using Ssi.Agent.Migration.Relay;
using Ssi.Agent.Node;
using Ssi.Agent.Processes;
using Ssi.Agent.Security;
using Ssi.Agent.Topology;

namespace Ssi.Agent.Hosting;

/// <summary>Builds the agent's web host: Kestrel with mutual TLS, HTTP/2, the gRPC services.</summary>
public static class AgentHost
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // Filesystem forwarding, process relays and coherency waits block threads by nature; on a
        // 2-core node the pool would otherwise start with 2 threads and grow by one per 0.5 s.
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 64), Math.Max(io, 64));
        // The content root is the agent's own directory, and appsettings files are not watched: the
        // default (the working directory, "/" for a DaemonSet or a local agent, watched for appsettings
        // changes) put an inotify watch on every directory of the machine, and the agent then woke up and
        // walked each new directory for every file made anywhere (the shared filesystem's backing
        // directory too: that was most of the home's processor time per forwarded create). The
        // topology file is polled by its own provider.
        // (An agent also died of a stack overflow in FileSystemWatcher walking a deep directory.)
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [.. args, "--hostBuilder:reloadConfigOnChange=false"],
            ContentRootPath = AppContext.BaseDirectory,
        });
        TopologyStartup.Apply(builder.Configuration, Console.Out);
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            o.UseUtcTimestamp = true;
        });
        builder.Services.AddOptions<AgentOptions>()
            .Bind(builder.Configuration.GetSection(AgentOptions.Section))
            .ValidateDataAnnotations()
            .Validate(o => Directory.Exists(o.CredentialsDirectory), "Agent:CredentialsDirectory does not exist")
            .Validate(o => IPAddress.TryParse(o.ListenAddress, out _), "Agent:ListenAddress is not an IP address")
            .ValidateOnStart();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<AgentOptions>>().Value;
            return AgentCredentials.FromDirectory(o.CredentialsDirectory, o.CredentialName);
        });
        builder.Services.AddSingleton(sp => sp.GetRequiredService<AgentCredentials>().Trust);
        builder.Services.AddSingleton<ClientCertificatePolicy>();
        builder.Services.AddSingleton<AgentIdentity>();
        builder.Services.AddSingleton<NodeCapabilitiesProbe>();
        builder.Services.AddOptions<FilesystemOptions>().Bind(builder.Configuration.GetSection(FilesystemOptions.Section))
            .Validate(o => o.Mode is FilesystemOptions.ModeCfs or FilesystemOptions.ModePvc, "Filesystem:Mode is cfs or pvc")
            .Validate(o => !o.Enabled || o.Mode != FilesystemOptions.ModePvc || o.BackingDirectory.Length > 0, "Filesystem:BackingDirectory (where the volume is mounted) is required in pvc mode")
            .ValidateOnStart();
        builder.Services.AddSingleton<SharedVolume>();
        builder.Services.AddSingleton(sp => new NodeLiveness(
            sp.GetRequiredService<TimeProvider>(),
            TimeSpan.FromSeconds(sp.GetRequiredService<IOptions<FilesystemOptions>>().Value.NodeLossGraceSeconds)));
        builder.Services.AddSingleton<CoherencyHub>();
        builder.Services.AddSingleton<LockManager>();
        builder.Services.AddSingleton<FilesystemRole>();
        builder.Services.AddSingleton<FilesystemHost>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<FilesystemHost>());
        builder.Services.AddOptions<DevicesOptions>().Bind(builder.Configuration.GetSection(DevicesOptions.Section))
            .Validate(o => o.Peers.All(p => p.IndexOf('=', StringComparison.Ordinal) > 0), "Devices:Peers entries are name=host:port")
            .ValidateOnStart();
        builder.Services.AddSingleton<DeviceExportTable>();
        builder.Services.AddSingleton<DevicePoller>();
        builder.Services.AddSingleton<DeviceRegistry>();
        builder.Services.AddSingleton<DeviceMountHost>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<DeviceMountHost>());
        builder.Services.AddSingleton<ProcessTable>();
        builder.Services.AddSingleton<ContainerWorkloads>();
        builder.Services.AddSingleton<WorkloadRunner>();
        builder.Services.AddHostedService<ProcessEventMonitor>();
        builder.Services.AddSingleton<ShimReportListener>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ShimReportListener>());
        builder.Services.AddSingleton<PeerChannels>();
        builder.Services.AddSingleton<HomeObjectRegistry>();
        builder.Services.AddSingleton<StandInRegistry>();
        builder.Services.AddSingleton<AttemptJournal>();
        builder.Services.AddSingleton<AttemptFence>();
        builder.Services.AddSingleton<MigrationPlanner>();
        builder.Services.AddSingleton<MigrationSource>();
        builder.Services.AddSingleton<MigrationTarget>();
        builder.Services.AddSingleton<PeerBulkLinks>();
        builder.Services.AddSingleton<BulkLinkHost>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<BulkLinkHost>());
        builder.Services.AddHostedService<AgentStartupService>();
        builder.Services.AddSingleton<NodeCleanup>();
        builder.Services.AddGrpc(o => o.EnableDetailedErrors = false);

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            var services = kestrel.ApplicationServices;
            var options = services.GetRequiredService<IOptions<AgentOptions>>().Value;
            // Bulk data (checkpoint images, relays) goes over the agents' bulk links, not gRPC; these
            // windows keep a large control message (a plan) from waiting on flow control.
            kestrel.Limits.Http2.InitialConnectionWindowSize = 32 * 1024 * 1024;
            kestrel.Limits.Http2.InitialStreamWindowSize = 16 * 1024 * 1024;
            kestrel.Limits.Http2.MaxFrameSize = 1024 * 1024 - 1;
            kestrel.Listen(IPAddress.Parse(options.ListenAddress), options.Port, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                listen.UseHttps(https =>
                {
                    var credentials = services.GetRequiredService<AgentCredentials>();
                    var policy = services.GetRequiredService<ClientCertificatePolicy>();
                    https.ServerCertificate = credentials.Certificate;
                    https.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
                    https.ClientCertificateValidation = (certificate, _, _) => policy.Admit(certificate);
                });
            });
        });
        configure?.Invoke(builder);

        var app = builder.Build();
        app.MapGrpcService<DeviceService>();
        app.MapGrpcService<NodeService>();
        app.MapGrpcService<ProcessService>();
        app.MapGrpcService<MigrationService>();
        return app;
    }
}
