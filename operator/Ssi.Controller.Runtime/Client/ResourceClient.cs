using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Ssi.Controller.Runtime.Client;

/// <summary>
/// Typed access to one kind through the official client's generic (custom object) operations,
/// which serve the core group as well. Not found reads as null; deleting what is gone is not an error.
/// </summary>
public sealed class ResourceClient<T>(IKubernetes client, ResourceKind kind)
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    public ResourceKind Kind { get; } = kind;

    public async Task<T?> GetAsync(ObjectKey key, CancellationToken cancellationToken)
    {
        try
        {
            var response = Kind.Namespaced
                ? await client.CustomObjects.GetNamespacedCustomObjectWithHttpMessagesAsync<T>(Kind.Group, Kind.Version, key.Namespace, Kind.Plural, key.Name, cancellationToken: cancellationToken).ConfigureAwait(false)
                : await client.CustomObjects.GetClusterCustomObjectWithHttpMessagesAsync<T>(Kind.Group, Kind.Version, Kind.Plural, key.Name, cancellationToken: cancellationToken).ConfigureAwait(false);
            return response.Body;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>One page of every namespace's objects (or of one namespace).</summary>
    public async Task<ResourceList<T>> ListAsync(string? labelSelector, int? limit, string? continueToken, CancellationToken cancellationToken)
    {
        var response = await client.CustomObjects.ListClusterCustomObjectWithHttpMessagesAsync<ResourceList<T>>(
            Kind.Group, Kind.Version, Kind.Plural, labelSelector: labelSelector, limit: limit, continueParameter: continueToken, cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.Body;
    }

    /// <summary>A watch of every namespace from <paramref name="resourceVersion"/>, with bookmarks.</summary>
    public IAsyncEnumerable<(WatchEventType, T)> WatchAsync(string? labelSelector, string resourceVersion, int timeoutSeconds, Action<Exception> onError, CancellationToken cancellationToken)
    {
        // The client deserializes the first line of a watch as the response type: a list type ignores
        // the event's fields, where a strict object type (unmapped members disallowed) would throw.
        var response = client.CustomObjects.ListClusterCustomObjectWithHttpMessagesAsync<ResourceList<T>>(
            Kind.Group, Kind.Version, Kind.Plural, allowWatchBookmarks: true, labelSelector: labelSelector, resourceVersion: resourceVersion,
            timeoutSeconds: timeoutSeconds, watch: true, cancellationToken: cancellationToken);
#pragma warning disable CS0618 // The generated generic watch of custom objects (which needs a resourceVersion) is this extension, as in the client's own GenericClient.
        return response.WatchAsync<T, ResourceList<T>>(onError, cancellationToken);
#pragma warning restore CS0618
    }

    public async Task<T> CreateAsync(T obj, CancellationToken cancellationToken)
    {
        Stamp(obj);
        var response = Kind.Namespaced
            ? await client.CustomObjects.CreateNamespacedCustomObjectWithHttpMessagesAsync<T>(obj, Kind.Group, Kind.Version, obj.Metadata.NamespaceProperty, Kind.Plural, cancellationToken: cancellationToken).ConfigureAwait(false)
            : await client.CustomObjects.CreateClusterCustomObjectWithHttpMessagesAsync<T>(obj, Kind.Group, Kind.Version, Kind.Plural, cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.Body;
    }

    /// <summary>Replaces the object; its resourceVersion makes a concurrent change a 409.</summary>
    public async Task<T> ReplaceAsync(T obj, CancellationToken cancellationToken)
    {
        Stamp(obj);
        var response = Kind.Namespaced
            ? await client.CustomObjects.ReplaceNamespacedCustomObjectWithHttpMessagesAsync<T>(obj, Kind.Group, Kind.Version, obj.Metadata.NamespaceProperty, Kind.Plural, obj.Metadata.Name, cancellationToken: cancellationToken).ConfigureAwait(false)
            : await client.CustomObjects.ReplaceClusterCustomObjectWithHttpMessagesAsync<T>(obj, Kind.Group, Kind.Version, Kind.Plural, obj.Metadata.Name, cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.Body;
    }

    /// <summary>Writes the status subresource only.</summary>
    public async Task<T> ReplaceStatusAsync(T obj, CancellationToken cancellationToken)
    {
        Stamp(obj);
        var response = Kind.Namespaced
            ? await client.CustomObjects.ReplaceNamespacedCustomObjectStatusWithHttpMessagesAsync<T>(obj, Kind.Group, Kind.Version, obj.Metadata.NamespaceProperty, Kind.Plural, obj.Metadata.Name, cancellationToken: cancellationToken).ConfigureAwait(false)
            : await client.CustomObjects.ReplaceClusterCustomObjectStatusWithHttpMessagesAsync<T>(obj, Kind.Group, Kind.Version, Kind.Plural, obj.Metadata.Name, cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.Body;
    }

    /// <summary>A JSON merge patch of the object.</summary>
    public async Task<T> PatchAsync(ObjectKey key, string mergePatch, CancellationToken cancellationToken)
    {
        var patch = new V1Patch(mergePatch, V1Patch.PatchType.MergePatch);
        var response = Kind.Namespaced
            ? await client.CustomObjects.PatchNamespacedCustomObjectWithHttpMessagesAsync<T>(patch, Kind.Group, Kind.Version, key.Namespace, Kind.Plural, key.Name, cancellationToken: cancellationToken).ConfigureAwait(false)
            : await client.CustomObjects.PatchClusterCustomObjectWithHttpMessagesAsync<T>(patch, Kind.Group, Kind.Version, Kind.Plural, key.Name, cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.Body;
    }

    /// <summary>Deletes the object; true if it existed.</summary>
    public async Task<bool> DeleteAsync(ObjectKey key, CancellationToken cancellationToken)
    {
        try
        {
            using var response = Kind.Namespaced
                ? await client.CustomObjects.DeleteNamespacedCustomObjectWithHttpMessagesAsync(Kind.Group, Kind.Version, key.Namespace, Kind.Plural, key.Name, cancellationToken: cancellationToken).ConfigureAwait(false)
                : await client.CustomObjects.DeleteClusterCustomObjectWithHttpMessagesAsync(Kind.Group, Kind.Version, Kind.Plural, key.Name, cancellationToken: cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    private void Stamp(T obj)
    {
        obj.ApiVersion = Kind.ApiVersion;
        obj.Kind = Kind.Kind;
    }
}
