using k8s;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Ssi.Api.V1Alpha1;
using Ssi.Controller.Runtime;
using Ssi.Controller.Runtime.Events;
using Ssi.Controller.Runtime.Informers;
using Ssi.Controller.Runtime.Leadership;
using Ssi.Controller.Runtime.Metrics;
using Ssi.Controller.Runtime.Reconciling;
using Ssi.Operator.Agents;
using Ssi.Operator.Apply;
using Ssi.Operator.Certificates;
using Ssi.Operator.ProcessMigrations;
using Ssi.Operator.SsiClusters;

namespace Ssi.Operator.Hosting;

/// <summary>The operator process: generic host, informers and controllers under leader election, /metrics, /healthz, /readyz.</summary>
public static class OperatorHost
{
    /// <summary>Builds the host. <paramref name="configure"/> lets tests replace services (the API client, the agents seam).</summary>
    public static WebApplication Build(string[] args, Action<IServiceCollection>? configure = null)
    {
        // No file watching: the default content root is the working directory ("/" for an agent in its
        // node, and in a container), and reloadable appsettings.json would watch it recursively with
        // inotify: the whole tree, FUSE mounts included (an agent died of a stack overflow in
        // FileSystemWatcher walking a deep directory). No setting here is meant to change while running.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [.. args, "--hostBuilder:reloadConfigOnChange=false"],
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Services.AddOptions<OperatorOptions>().Bind(builder.Configuration.GetSection(OperatorOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        builder.WebHost.UseUrls(builder.Configuration[$"{OperatorOptions.Section}:HttpUrl"] ?? new OperatorOptions().HttpUrl);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(20));

        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<OperatorOptions>>().Value);
        services.AddSingleton<IKubernetes>(_ => new Kubernetes(KubernetesClientConfiguration.IsInCluster()
            ? KubernetesClientConfiguration.InClusterConfig()
            : KubernetesClientConfiguration.BuildConfigFromConfigFile()));
        services.AddSingleton<ControllerMetrics>();
        services.AddSingleton<OperatorCaches>();
        services.AddSingleton<IEnumerable<IInformer>>(sp => sp.GetRequiredService<OperatorCaches>().All);
        services.AddSingleton(sp => sp.GetRequiredService<OperatorCaches>().SsiClusters);
        services.AddSingleton(sp => sp.GetRequiredService<OperatorCaches>().Pods);
        services.AddSingleton(sp => sp.GetRequiredService<OperatorCaches>().Secrets);
        services.AddSingleton(sp => new EventRecorder(sp.GetRequiredService<IKubernetes>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<EventRecorder>>()));
        services.AddSingleton<ObjectApplier>();
        services.AddSingleton<SsiClusterCertificateIssuer>();
        services.AddSingleton<KubernetesAgentFleet>();
        services.TryAddSingleton<IAgentFleet>(sp => sp.GetRequiredService<KubernetesAgentFleet>());
        services.TryAddSingleton<IClusterAgentConnectors, FleetAgentConnectors>();
        services.TryAddSingleton<IProcessMigrationDriver, CoordinatorMigrationDriver>();
        services.AddScoped<IReconciler<V1Alpha1SsiCluster>, SsiClusterReconciler>();
        services.AddScoped<IReconciler<V1Alpha1ProcessMigration>, ProcessMigrationReconciler>();

        services.AddSingleton(sp =>
        {
            var caches = sp.GetRequiredService<OperatorCaches>();
            var options = sp.GetRequiredService<OperatorOptions>();
            var controller = new Controller<V1Alpha1SsiCluster>(
                new ControllerOptions { Name = "ssicluster", Workers = options.Workers },
                caches.SsiClusters, sp.GetRequiredService<IServiceScopeFactory>(), sp.GetRequiredService<ControllerMetrics>(),
                sp.GetRequiredService<ILoggerFactory>().CreateLogger("Ssi.Operator.SsiClusters"), sp.GetRequiredService<TimeProvider>());
            controller.Owns(caches.ServiceAccounts, V1Alpha1SsiCluster.KindName);
            controller.Owns(caches.Roles, V1Alpha1SsiCluster.KindName);
            controller.Owns(caches.RoleBindings, V1Alpha1SsiCluster.KindName);
            controller.Owns(caches.Secrets, V1Alpha1SsiCluster.KindName);
            controller.Owns(caches.ConfigMaps, V1Alpha1SsiCluster.KindName);
            controller.Owns(caches.Services, V1Alpha1SsiCluster.KindName);
            controller.Owns(caches.DaemonSets, V1Alpha1SsiCluster.KindName);

            // Agent pods (owned by the DaemonSet) wake their cluster: the home pod gets its label, health is re-probed.
            controller.Watches(caches.Pods, pod => pod.Metadata.Labels is { } labels && labels.TryGetValue(SsiClusterNames.InstanceLabel, out var cluster)
                ? new Ssi.Controller.Runtime.Client.ObjectKey(pod.Metadata.NamespaceProperty, cluster)
                : null);
            return controller;
        });
        services.AddSingleton(sp =>
        {
            var caches = sp.GetRequiredService<OperatorCaches>();
            var options = sp.GetRequiredService<OperatorOptions>();
            var controller = new Controller<V1Alpha1ProcessMigration>(
                new ControllerOptions { Name = "processmigration", Workers = options.Workers },
                caches.ProcessMigrations, sp.GetRequiredService<IServiceScopeFactory>(), sp.GetRequiredService<ControllerMetrics>(),
                sp.GetRequiredService<ILoggerFactory>().CreateLogger("Ssi.Operator.ProcessMigrations"), sp.GetRequiredService<TimeProvider>());

            // A cluster that changes (becomes Ready) wakes the migrations that wait for it.
            caches.SsiClusters.AddHandler(cluster =>
            {
                foreach (var m in caches.ProcessMigrations.List().Where(m => m.Metadata.NamespaceProperty == cluster.Metadata.NamespaceProperty && m.Spec.Cluster == cluster.Metadata.Name))
                {
                    controller.Enqueue(Ssi.Controller.Runtime.Client.ObjectKey.Of(m));
                }
            });
            return controller;
        });
        services.AddSingleton<IEnumerable<IController>>(sp => [sp.GetRequiredService<Controller<V1Alpha1SsiCluster>>(), sp.GetRequiredService<Controller<V1Alpha1ProcessMigration>>()]);
        services.AddSingleton(sp =>
        {
            var o = sp.GetRequiredService<OperatorOptions>();
            return new LeaderElection(sp.GetRequiredService<IKubernetes>(), new LeaderElectionOptions
            {
                Enabled = o.LeaderElection,
                LeaseNamespace = o.LeaseNamespace,
                LeaseName = o.LeaseName,
                Identity = o.Identity ?? Environment.GetEnvironmentVariable("HOSTNAME") ?? Environment.MachineName,
                LeaseDuration = o.LeaseDuration,
                RenewDeadline = o.RenewDeadline,
                RetryPeriod = o.RetryPeriod,
            }, sp.GetRequiredService<ControllerMetrics>(), sp.GetRequiredService<ILogger<LeaderElection>>());
        });
        services.AddSingleton<ControllerManager>();
        services.AddHostedService(sp => sp.GetRequiredService<ControllerManager>());

        configure?.Invoke(services);

        var app = builder.Build();
        app.MapGet("/healthz", () => Results.Ok("ok"));
        app.MapGet("/readyz", (ControllerManager manager, LeaderElection election) =>
            !election.IsLeader || manager.Started.IsCompletedSuccessfully ? Results.Ok(election.IsLeader ? "leading" : "standby") : Results.StatusCode(503));
        app.MapGet("/metrics", async (ControllerMetrics metrics, CancellationToken ct) => Results.Text(await metrics.ExportAsync(ct).ConfigureAwait(false), "text/plain; version=0.0.4"));
        return app;
    }
}
