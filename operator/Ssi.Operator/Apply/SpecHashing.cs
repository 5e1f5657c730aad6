using System.Security.Cryptography;
using System.Text;
using k8s;
using k8s.Models;

namespace Ssi.Operator.Apply;

/// <summary>The <c>ssi.io/spec-hash</c> annotation: a digest of the object as built, so that apply compares one string.</summary>
internal static class SpecHashing
{
    public const string Annotation = "ssi.io/spec-hash";

    public static string Of(object value) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(KubernetesJson.Serialize(value))))[..16];

    /// <summary>Stamps the object with the hash of everything it holds (the annotation itself excluded).</summary>
    public static T Stamp<T>(T obj)
        where T : IKubernetesObject<V1ObjectMeta>
    {
        obj.Metadata.Annotations ??= new Dictionary<string, string>(StringComparer.Ordinal);
        obj.Metadata.Annotations.Remove(Annotation);
        var hash = Of(obj);
        obj.Metadata.Annotations[Annotation] = hash;
        return obj;
    }
}
