using k8s;
using k8s.Models;

namespace Ssi.Controller.Runtime.Client;

/// <summary>namespace/name of an object: what a reconciler is given.</summary>
public readonly record struct ObjectKey(string? Namespace, string Name)
{
    public static ObjectKey Of(IKubernetesObject<V1ObjectMeta> obj) => new(obj.Metadata.NamespaceProperty, obj.Metadata.Name);

    public static ObjectKey Parse(string key)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? new ObjectKey(null, key) : new ObjectKey(key[..slash], key[(slash + 1)..]);
    }

    public override string ToString() => Namespace is null ? Name : Namespace + "/" + Name;
}
