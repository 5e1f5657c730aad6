using k8s;
using k8s.Models;
using Ssi.Controller.Runtime.Client;
using Ssi.Controller.Runtime.Informers;
using Ssi.Operator.Hosting;

namespace Ssi.Operator.Apply;

/// <summary>
/// Apply = create if missing, replace (with the current resourceVersion) if the spec hash differs,
/// else nothing. Reads from the informer caches; a cache miss is checked with one GET before creating.
/// </summary>
internal sealed class ObjectApplier(OperatorCaches caches)
{
    /// <summary>Applies every object; returns how many were written.</summary>
    public async Task<int> ApplyAsync(IReadOnlyList<DesiredObject> desired, CancellationToken cancellationToken)
    {
        var written = 0;
        foreach (var d in desired)
        {
            var changed = d.Object switch
            {
                V1ServiceAccount o => await ApplyOneAsync(o, d, caches.ServiceAccounts, cancellationToken).ConfigureAwait(false),
                V1Role o => await ApplyOneAsync(o, d, caches.Roles, cancellationToken).ConfigureAwait(false),
                V1RoleBinding o => await ApplyOneAsync(o, d, caches.RoleBindings, cancellationToken).ConfigureAwait(false),
                V1Secret o => await ApplyOneAsync(o, d, caches.Secrets, cancellationToken).ConfigureAwait(false),
                V1ConfigMap o => await ApplyOneAsync(o, d, caches.ConfigMaps, cancellationToken).ConfigureAwait(false),
                V1Service o => await ApplyOneAsync(o, d, caches.Services, cancellationToken).ConfigureAwait(false),
                V1DaemonSet o => await ApplyOneAsync(o, d, caches.DaemonSets, cancellationToken).ConfigureAwait(false),
                _ => throw new NotSupportedException($"no informer for {d.Kind.Kind}"),
            };
            written += changed ? 1 : 0;
        }

        return written;
    }

    private async Task<bool> ApplyOneAsync<T>(T obj, DesiredObject desired, Informer<T> cache, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var client = new ResourceClient<T>(caches.Client, desired.Kind);
        var key = ObjectKey.Of(obj);
        var current = cache.Get(key) ?? await client.GetAsync(key, cancellationToken).ConfigureAwait(false);
        if (current is null)
        {
            await client.CreateAsync(obj, cancellationToken).ConfigureAwait(false);
            return true;
        }

        var currentHash = current.Metadata.Annotations is { } annotations && annotations.TryGetValue(SpecHashing.Annotation, out var h) ? h : null;
        if (currentHash == desired.SpecHash)
        {
            return false;
        }

        obj.Metadata.ResourceVersion = current.Metadata.ResourceVersion;
        await client.ReplaceAsync(obj, cancellationToken).ConfigureAwait(false);
        return true;
    }
}
