using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Ssi.Agent.Contracts.V1;
using Ssi.Api.V1Alpha1;
using Ssi.Controller.Runtime.Client;
using Ssi.Orchestration.Migration;

namespace Ssi.Operator.ProcessMigrations.Landing;

/// <summary>
/// The operator's landing adapter: a workload that runs in a pod lands in a landing pod on the target
/// node (<see cref="LandingPodDesiredState"/>), created before anything is frozen and awaited until
/// its container runs; the target agent restores the tree into that container's namespaces and
/// cgroup. Deleted when the attempt is undone; kept when it succeeds (it hosts the process).
/// </summary>
internal sealed class LandingPods(IKubernetes client, V1Alpha1ProcessMigration migration, TimeProvider time) : ILandingAdapter
{
    public static readonly TimeSpan RunningTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(250);

    private ResourceClient<V1Pod> Pods => new(client, ResourceKind.Pod);

    public async Task<LandingTarget?> PrepareAsync(MigrationPlan plan, string targetNode, CancellationToken cancellationToken)
    {
        if (plan.Pod is not { PodUid.Length: > 0 } container)
        {
            return null; // not in a pod: the target node's own namespaces
        }

        var source = await FindByUidAsync(container.PodUid, cancellationToken).ConfigureAwait(false)
            ?? throw new LandingException($"the workload's pod (uid {container.PodUid}) is not in the API server.");
        var containerName = source.Status?.ContainerStatuses?.FirstOrDefault(s => ContainerId(s.ContainerID) == container.ContainerId)?.Name
            ?? throw new LandingException($"pod {source.Metadata.NamespaceProperty}/{source.Metadata.Name} reports no container {container.ContainerId}.");
        var desired = (V1Pod)LandingPodDesiredState.Build(migration, source, containerName).Object;
        var key = ObjectKey.Of(desired);
        if (await Pods.GetAsync(key, cancellationToken).ConfigureAwait(false) is null)
        {
            try
            {
                await Pods.CreateAsync(desired, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
            {
                // made meanwhile (a previous leader): the same pod
            }
        }

        var deadline = time.GetUtcNow() + RunningTimeout;
        while (true)
        {
            var pod = await Pods.GetAsync(key, cancellationToken).ConfigureAwait(false)
                ?? throw new LandingException($"the landing pod {key} was deleted.");
            if (pod.Status?.Phase is "Failed" or "Succeeded")
            {
                throw new LandingException($"the landing pod {key} ended ({pod.Status.Phase}).");
            }

            if (pod.Status?.ContainerStatuses?.FirstOrDefault(s => s.Name == containerName) is { State.Running: not null } running && ContainerId(running.ContainerID) is { Length: > 0 } id)
            {
                return new LandingTarget { ContainerId = id };
            }

            if (time.GetUtcNow() > deadline)
            {
                throw new LandingException($"the landing pod {key} did not run on {targetNode} within {RunningTimeout.TotalSeconds:0} s.");
            }

            await Task.Delay(Poll, time, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task ReleaseAsync(CancellationToken cancellationToken)
    {
        await foreach (var pod in ListAsync(LandingPodDesiredState.Selector(migration), cancellationToken).ConfigureAwait(false))
        {
            await Pods.DeleteAsync(ObjectKey.Of(pod), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The runtime's id without its scheme (<c>containerd://ID</c> → ID).</summary>
    public static string ContainerId(string? statusId) =>
        statusId is null ? "" : statusId[(statusId.IndexOf("://", StringComparison.Ordinal) is var i and >= 0 ? i + 3 : 0)..];

    /// <summary>Pods have no field selector on uid: page through them (once per migration of a process in a pod).</summary>
    private async Task<V1Pod?> FindByUidAsync(string uid, CancellationToken cancellationToken)
    {
        await foreach (var pod in ListAsync(null, cancellationToken).ConfigureAwait(false))
        {
            if (pod.Metadata.Uid == uid)
            {
                return pod;
            }
        }

        return null;
    }

    private async IAsyncEnumerable<V1Pod> ListAsync(string? labelSelector, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? next = null;
        do
        {
            var page = await Pods.ListAsync(labelSelector, 500, next, cancellationToken).ConfigureAwait(false);
            foreach (var pod in page.Items)
            {
                yield return pod;
            }

            next = page.Metadata?.ContinueProperty;
        }
        while (!string.IsNullOrEmpty(next));
    }
}
