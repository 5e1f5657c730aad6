using k8s;
using k8s.Models;
using Ssi.Controller.Runtime.Client;

namespace Ssi.Operator.Apply;

/// <summary>One object the desired state asks for, with its kind's place in the API.</summary>
internal sealed record DesiredObject(ResourceKind Kind, IKubernetesObject<V1ObjectMeta> Object)
{
    public string Name => Object.Metadata.Name;

    public string? SpecHash => Object.Metadata.Annotations?.TryGetValue(SpecHashing.Annotation, out var h) == true ? h : null;
}
