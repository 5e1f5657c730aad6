using k8s.Models;
using Ssi.Api.V1Alpha1;
using Ssi.Operator.Certificates;

namespace Ssi.Operator.Tests.SsiClusters;

internal static class TestClusters
{
    public static readonly SsiClusterCertificates Certificates = new("CA-CERTIFICATE-PEM", "CA-KEY-PEM", "AGENT-CERTIFICATE-PEM", "AGENT-KEY-PEM");

    public static V1Alpha1SsiCluster Cfs() => new()
    {
        Metadata = new V1ObjectMeta { Name = "demo", NamespaceProperty = "ssi", Uid = "11111111-2222-3333-4444-555555555555", Generation = 3 },
        Spec = new SsiClusterSpec
        {
            Nodes = [new SsiNodeSpec { Name = "node1" }, new SsiNodeSpec { Name = "node2" }, new SsiNodeSpec { Name = "node3" }],
            Filesystem = new SsiFilesystemSpec { Mode = SsiFilesystemSpec.ModeCfs, MountPath = "/ssi", Home = "node1" },
            Agent = new SsiAgentSpec { Port = 7443, LogLevel = "Information" },
        },
    };

    public static V1Alpha1SsiCluster Pvc() => new()
    {
        Metadata = new V1ObjectMeta { Name = "big", NamespaceProperty = "ssi", Uid = "66666666-7777-8888-9999-000000000000", Generation = 1 },
        Spec = new SsiClusterSpec
        {
            NodeSelector = new Dictionary<string, string> { ["ssi.io/pool"] = "compute" },
            Filesystem = new SsiFilesystemSpec { Mode = SsiFilesystemSpec.ModePvc, MountPath = "/shared", ClaimName = "cephfs-shared" },
            Agent = new SsiAgentSpec { Port = 9443, Image = "registry.example/ssi-agent:1.2.3", LogLevel = "Debug" },
        },
    };
}
