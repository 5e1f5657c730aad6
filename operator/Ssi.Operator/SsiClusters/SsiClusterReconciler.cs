using System.Text.Json;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Ssi.Agent.Contracts.Topology;
using Ssi.Api.V1Alpha1;
using Ssi.Api.Validation;
using Ssi.Controller.Runtime.Client;
using Ssi.Controller.Runtime.Events;
using Ssi.Controller.Runtime.Reconciling;
using Ssi.Operator.Agents;
using Ssi.Operator.Apply;
using Ssi.Operator.Certificates;
using Ssi.Operator.Hosting;

namespace Ssi.Operator.SsiClusters;

/// <summary>
/// SsiCluster → agent DaemonSet, RBAC, headless Service, CA and agent TLS Secrets, status. Order:
/// not found → done; deleting → agent cleanup, drop the finalizer; else ensure the finalizer, build,
/// apply, observe, write the status once if it changed.
/// </summary>
internal sealed partial class SsiClusterReconciler(
    OperatorCaches caches,
    ObjectApplier applier,
    SsiClusterCertificateIssuer issuer,
    IAgentFleet fleet,
    EventRecorder events,
    OperatorOptions options,
    TimeProvider time,
    ILogger<SsiClusterReconciler> logger) : IReconciler<V1Alpha1SsiCluster>
{
    private ResourceClient<V1Alpha1SsiCluster> Clusters => new(caches.Client, OperatorResources.SsiClusters);

    public async Task<ReconcileResult> ReconcileAsync(ObjectKey key, CancellationToken cancellationToken)
    {
        var cluster = caches.SsiClusters.Get(key);
        if (cluster is null)
        {
            return ReconcileResult.Done;
        }

        using var scope = logger.BeginScope(new Dictionary<string, object?> { ["Kind"] = V1Alpha1SsiCluster.KindName, ["Uid"] = cluster.Metadata.Uid });
        if (cluster.Metadata.DeletionTimestamp is not null)
        {
            await FinalizeAsync(cluster, cancellationToken).ConfigureAwait(false);
            return ReconcileResult.Done;
        }

        if (cluster.Metadata.Finalizers?.Contains(SsiClusterNames.CleanupFinalizer) != true)
        {
            cluster = await SetFinalizersAsync(cluster, [.. cluster.Metadata.Finalizers ?? [], SsiClusterNames.CleanupFinalizer], cancellationToken).ConfigureAwait(false);
        }

        var errors = SsiClusterValidator.Validate(cluster, localMode: false);
        if (errors.Count > 0)
        {
            await WriteStatusAsync(cluster, SsiClusterObservations.Invalid(errors), cancellationToken).ConfigureAwait(false);
            return ReconcileResult.Terminal("invalid spec: " + string.Join("; ", errors));
        }

        var certificates = issuer.Resolve(
            cluster,
            await SecretAsync(cluster, SsiClusterNames.CaSecret(cluster.Metadata.Name), cancellationToken).ConfigureAwait(false),
            await SecretAsync(cluster, SsiClusterNames.AgentTlsSecret(cluster.Metadata.Name), cancellationToken).ConfigureAwait(false));
        var topology = SsiClusterTopologyBuilder.Build(cluster, PreviousTopology(cluster), AgentPods(cluster));
        var desired = SsiClusterDesiredState.Build(cluster, certificates, topology, new SsiClusterBuildOptions(options.AgentImage, options.ImagePullPolicy));
        var written = await applier.ApplyAsync(desired, cancellationToken).ConfigureAwait(false);
        if (written > 0)
        {
            LogApplied(logger, key.ToString(), written);
        }

        await LabelHomeAgentAsync(cluster, cancellationToken).ConfigureAwait(false);
        var daemonSet = caches.DaemonSets.Get(new ObjectKey(key.Namespace, SsiClusterNames.Agent(key.Name)));
        var nodes = await fleet.ProbeAsync(cluster, cancellationToken).ConfigureAwait(false);
        var status = await WriteStatusAsync(cluster, new SsiClusterObservations([], daemonSet, nodes), cancellationToken).ConfigureAwait(false);
        return ReconcileResult.RequeueAfter(Conditions.IsTrue(status.Conditions, SsiClusterStatusCalculator.Ready) ? options.HealthyPollInterval : options.UnhealthyPollInterval);
    }

    private async Task FinalizeAsync(V1Alpha1SsiCluster cluster, CancellationToken cancellationToken)
    {
        if (cluster.Metadata.Finalizers?.Contains(SsiClusterNames.CleanupFinalizer) != true)
        {
            return;
        }

        string outcome;
        var complete = false;
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            // Bounded: an agent that does not answer in time is reported, never waited for again.
            timeout.CancelAfter(options.CleanupTimeout);
            try
            {
                var report = await fleet.CleanupAsync(cluster, timeout.Token).ConfigureAwait(false);
                (outcome, complete) = (report.Message, report.Complete);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is not OutOfMemoryException)
            {
                outcome = $"Cleanup failed ({e.Message}); the cluster is removed anyway.";
            }
        }

        LogCleanedUp(logger, cluster.Metadata.Name, outcome);
        await events.RecordAsync(cluster, complete ? EventRecorder.Normal : EventRecorder.Warning, complete ? "AgentCleanup" : "AgentCleanupIncomplete", outcome, cancellationToken).ConfigureAwait(false);
        await SetFinalizersAsync(cluster, (cluster.Metadata.Finalizers ?? []).Where(f => f != SsiClusterNames.CleanupFinalizer).ToList(), cancellationToken).ConfigureAwait(false);
    }

    private async Task<V1Alpha1SsiCluster> SetFinalizersAsync(V1Alpha1SsiCluster cluster, IList<string> finalizers, CancellationToken cancellationToken)
    {
        var patch = JsonSerializer.Serialize(new { metadata = new { finalizers, resourceVersion = cluster.Metadata.ResourceVersion } });
        return await Clusters.PatchAsync(ObjectKey.Of(cluster), patch, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The home node's agent pod carries ssi.io/home=true, and no other pod of the cluster does.</summary>
    private async Task LabelHomeAgentAsync(V1Alpha1SsiCluster cluster, CancellationToken cancellationToken)
    {
        var cfs = (cluster.Spec.Filesystem?.Mode ?? SsiFilesystemSpec.ModeCfs) == SsiFilesystemSpec.ModeCfs;
        var home = cfs ? SsiClusterNames.Home(cluster.Spec) : "";
        var pods = new ResourceClient<V1Pod>(caches.Client, ResourceKind.Pod);
        foreach (var pod in caches.Pods.List())
        {
            if (pod.Metadata.NamespaceProperty != cluster.Metadata.NamespaceProperty
                || pod.Metadata.Labels is not { } labels
                || !labels.TryGetValue(SsiClusterNames.InstanceLabel, out var instance) || instance != cluster.Metadata.Name)
            {
                continue;
            }

            var isHome = home.Length > 0 && pod.Spec?.NodeName == home && pod.Metadata.DeletionTimestamp is null;
            var labelled = labels.TryGetValue(SsiClusterNames.HomeLabel, out var value) && value == "true";
            if (isHome != labelled)
            {
                var patch = JsonSerializer.Serialize(new { metadata = new { labels = new Dictionary<string, string?> { [SsiClusterNames.HomeLabel] = isHome ? "true" : null } } });
                await pods.PatchAsync(ObjectKey.Of(pod), patch, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The topology the agents read now (node indices are kept from it), or null when there is none or it cannot be read.</summary>
    private ClusterTopology? PreviousTopology(V1Alpha1SsiCluster cluster)
    {
        var map = caches.ConfigMaps.Get(new ObjectKey(cluster.Metadata.NamespaceProperty, SsiClusterNames.Topology(cluster.Metadata.Name)));
        if (map?.Data?.TryGetValue(ClusterTopology.FileName, out var text) != true)
        {
            return null;
        }

        try
        {
            return ClusterTopology.Parse(text!);
        }
        catch (FormatException e)
        {
            LogTopologyUnreadable(logger, cluster.Metadata.Name, e.Message);
            return null;
        }
    }

    private List<AgentPod> AgentPods(V1Alpha1SsiCluster cluster) => caches.Pods.List()
        .Where(p => p.Metadata.NamespaceProperty == cluster.Metadata.NamespaceProperty
            && p.Metadata.Labels?.TryGetValue(SsiClusterNames.InstanceLabel, out var instance) == true && instance == cluster.Metadata.Name
            && !string.IsNullOrEmpty(p.Spec?.NodeName))
        .Select(p => new AgentPod(p.Metadata.Name, p.Spec!.NodeName, p.Status?.PodIP, p.Metadata.DeletionTimestamp is not null))
        .ToList();

    private async Task<V1Secret?> SecretAsync(V1Alpha1SsiCluster cluster, string name, CancellationToken cancellationToken)
    {
        var key = new ObjectKey(cluster.Metadata.NamespaceProperty, name);
        return caches.Secrets.Get(key) ?? await new ResourceClient<V1Secret>(caches.Client, ResourceKind.Secret).GetAsync(key, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Computes the status and writes it through /status only if it changed; records an event when Ready flips.</summary>
    private async Task<SsiClusterStatus> WriteStatusAsync(V1Alpha1SsiCluster cluster, SsiClusterObservations observations, CancellationToken cancellationToken)
    {
        var status = SsiClusterStatusCalculator.Compute(cluster, observations, time.GetUtcNow());
        if (KubernetesJson.Serialize(status) == KubernetesJson.Serialize(cluster.Status ?? new SsiClusterStatus()))
        {
            return status;
        }

        var wasReady = cluster.Status?.Conditions?.FirstOrDefault(c => c.Type == SsiClusterStatusCalculator.Ready);
        var ready = status.Conditions!.First(c => c.Type == SsiClusterStatusCalculator.Ready);
        var update = new V1Alpha1SsiCluster { Metadata = cluster.Metadata, Spec = cluster.Spec, Status = status };
        await Clusters.ReplaceStatusAsync(update, cancellationToken).ConfigureAwait(false);
        if (wasReady?.Status != ready.Status || wasReady?.Reason != ready.Reason)
        {
            LogReady(logger, cluster.Metadata.Name, ready.Status, ready.Reason, ready.Message);
            await events.RecordAsync(cluster, ready.Status == Conditions.True ? EventRecorder.Normal : EventRecorder.Warning, ready.Reason, ready.Message, cancellationToken).ConfigureAwait(false);
        }

        return status;
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "{Cluster}: {Count} owned objects created or replaced")]
    private static partial void LogApplied(ILogger logger, string cluster, int count);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "{Cluster}: Ready={Status} ({Reason}): {Message}")]
    private static partial void LogReady(ILogger logger, string cluster, string status, string reason, string message);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Warning, Message = "{Cluster}: the topology ConfigMap cannot be read ({Reason}); node indices are given anew")]
    private static partial void LogTopologyUnreadable(ILogger logger, string cluster, string reason);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Information, Message = "{Cluster}: agent cleanup: {Outcome}")]
    private static partial void LogCleanedUp(ILogger logger, string cluster, string outcome);
}
