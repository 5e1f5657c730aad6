using System.Text.Json.Serialization;

namespace Ssi.Api.V1Alpha1;

/// <summary>The shared filesystem: the same tree at the same path on every node.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class SsiFilesystemSpec
{
    public const string DefaultMountPath = "/ssi";
    public const string ModeCfs = "cfs";
    public const string ModePvc = "pvc";

    /// <summary>cfs: one home node keeps the data and serves the others (default). pvc: an existing ReadWriteMany volume.</summary>
    [JsonPropertyName("mode")]
    public string? Mode { get; set; }

    /// <summary>Where every node sees it (default /ssi).</summary>
    [JsonPropertyName("mountPath")]
    public string? MountPath { get; set; }

    /// <summary>cfs: the node that keeps the data (default: the first node).</summary>
    [JsonPropertyName("home")]
    public string? Home { get; set; }

    /// <summary>cfs: directory on the home node that holds the data (local mode default: /var/lib/ssi-operator/CLUSTER/cfs).</summary>
    [JsonPropertyName("hostPath")]
    public string? HostPath { get; set; }

    /// <summary>pvc: the ReadWriteMany PersistentVolumeClaim to mount on every node.</summary>
    [JsonPropertyName("claimName")]
    public string? ClaimName { get; set; }
}
