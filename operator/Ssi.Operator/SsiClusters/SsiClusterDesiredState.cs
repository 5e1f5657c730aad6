using System.Globalization;
using k8s;
using k8s.Models;
using Ssi.Agent.Contracts.Topology;
using Ssi.Api.V1Alpha1;
using Ssi.Controller.Runtime.Client;
using Ssi.Operator.Apply;
using Ssi.Operator.Certificates;

namespace Ssi.Operator.SsiClusters;

/// <summary>
/// Everything an SsiCluster owns, as a pure function of the cluster, its certificates and the
/// operator's options: no I/O, no clock, no randomness; fixed order; each object stamped with
/// <c>ssi.io/spec-hash</c> and a controller ownerReference.
/// </summary>
internal static class SsiClusterDesiredState
{
    public const string CredentialsPath = "/etc/ssi/tls";
    public const string DataPath = "/var/lib/ssi/data";
    public const string RunPath = "/run/ssi";
    public const string TopologyPath = "/etc/ssi/topology";

    /// <param name="topology">From <see cref="SsiClusterTopologyBuilder"/>: what the agents read from the topology ConfigMap.</param>
    public static IReadOnlyList<DesiredObject> Build(V1Alpha1SsiCluster cluster, SsiClusterCertificates certificates, ClusterTopology topology, SsiClusterBuildOptions options)
    {
        ArgumentNullException.ThrowIfNull(topology);
        var name = cluster.Metadata.Name;
        var ns = cluster.Metadata.NamespaceProperty;
        var owner = new V1OwnerReference
        {
            ApiVersion = SsiApiGroup.ApiVersion,
            Kind = V1Alpha1SsiCluster.KindName,
            Name = name,
            Uid = cluster.Metadata.Uid,
            Controller = true,
            BlockOwnerDeletion = true,
        };

        V1ObjectMeta Meta(string objectName) => new()
        {
            Name = objectName,
            NamespaceProperty = ns,
            Labels = SsiClusterNames.Labels(name),
            OwnerReferences = [owner],
        };

        var port = cluster.Spec.Agent?.Port ?? SsiAgentSpec.DefaultPort;
        return
        [
            Desired(ResourceKind.ServiceAccount, (new V1ServiceAccount { Metadata = Meta(SsiClusterNames.Agent(name)) })),
            Desired(ResourceKind.Role, (Role(Meta(SsiClusterNames.Agent(name))))),
            Desired(ResourceKind.RoleBinding, (RoleBinding(Meta(SsiClusterNames.Agent(name)), SsiClusterNames.Agent(name), ns))),
            Desired(ResourceKind.Secret, (new V1Secret
            {
                Metadata = Meta(SsiClusterNames.CaSecret(name)),
                Type = "Opaque",
                StringData = null,
                Data = new Dictionary<string, byte[]>(StringComparer.Ordinal)
                {
                    ["ca.crt"] = Utf8(certificates.CaCertificatePem),
                    ["ca.key"] = Utf8(certificates.CaPrivateKeyPem),
                },
            })),
            Desired(ResourceKind.Secret, (new V1Secret
            {
                Metadata = Meta(SsiClusterNames.AgentTlsSecret(name)),
                Type = "Opaque",
                Data = new Dictionary<string, byte[]>(StringComparer.Ordinal)
                {
                    ["ca.crt"] = Utf8(certificates.CaCertificatePem),
                    ["agent.crt"] = Utf8(certificates.AgentCertificatePem),
                    ["agent.key"] = Utf8(certificates.AgentPrivateKeyPem),
                },
            })),
            Desired(ResourceKind.ConfigMap, new V1ConfigMap
            {
                Metadata = Meta(SsiClusterNames.Topology(name)),
                Data = new Dictionary<string, string>(StringComparer.Ordinal) { [ClusterTopology.FileName] = topology.ToJson() },
            }),
            Desired(ResourceKind.Service, (new V1Service
            {
                Metadata = Meta(SsiClusterNames.Service(name)),
                Spec = new V1ServiceSpec
                {
                    ClusterIP = "None",
                    PublishNotReadyAddresses = true,
                    Selector = SsiClusterNames.SelectorLabels(name),
                    // Every agent also takes the other agents' bulk links (relays, images) on port + 2.
                    Ports =
                    [
                        new V1ServicePort { Name = "grpc", Port = port, TargetPort = port, Protocol = "TCP" },
                        new V1ServicePort { Name = "bulk-link", Port = port + 2, TargetPort = port + 2, Protocol = "TCP" },
                    ],
                },
            })),
            .. HomeService(cluster, Meta(SsiClusterNames.HomeService(name)), port),
            Desired(ResourceKind.DaemonSet, (DaemonSet(cluster, Meta(SsiClusterNames.Agent(name)), certificates, options, port))),
        ];
    }

    private static DesiredObject Desired(ResourceKind kind, IKubernetesObject<V1ObjectMeta> obj)
    {
        obj.ApiVersion = kind.ApiVersion;
        obj.Kind = kind.Kind;
        return new DesiredObject(kind, SpecHashing.Stamp(obj));
    }

    /// <summary>cfs with a home: a stable name for the home node's agent, which the other agents forward to.</summary>
    private static IEnumerable<DesiredObject> HomeService(V1Alpha1SsiCluster cluster, V1ObjectMeta meta, int port)
    {
        if ((cluster.Spec.Filesystem?.Mode ?? SsiFilesystemSpec.ModeCfs) != SsiFilesystemSpec.ModeCfs || SsiClusterNames.Home(cluster.Spec).Length == 0)
        {
            yield break;
        }

        var selector = SsiClusterNames.SelectorLabels(cluster.Metadata.Name);
        selector[SsiClusterNames.HomeLabel] = "true";
        yield return Desired(ResourceKind.Service, new V1Service
        {
            Metadata = meta,
            Spec = new V1ServiceSpec
            {
                ClusterIP = "None",
                PublishNotReadyAddresses = true,
                Selector = selector,
                // The home also takes the other nodes' filesystem links on the next port.
                Ports =
                [
                    new V1ServicePort { Name = "grpc", Port = port, TargetPort = port, Protocol = "TCP" },
                    new V1ServicePort { Name = "fs-link", Port = port + 1, TargetPort = port + 1, Protocol = "TCP" },
                ],
            },
        });
    }

    private static V1Role Role(V1ObjectMeta meta) => new()
    {
        Metadata = meta,
        // Agents read the pods of their namespace (landing pods of migrations); nothing else.
        Rules = [new V1PolicyRule { ApiGroups = [""], Resources = ["pods"], Verbs = ["get", "list", "watch"] }],
    };

    private static V1RoleBinding RoleBinding(V1ObjectMeta meta, string serviceAccount, string ns) => new()
    {
        Metadata = meta,
        RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "Role", Name = meta.Name },
        Subjects = [new Rbacv1Subject { Kind = "ServiceAccount", Name = serviceAccount, NamespaceProperty = ns }],
    };

    private static V1DaemonSet DaemonSet(V1Alpha1SsiCluster cluster, V1ObjectMeta meta, SsiClusterCertificates certificates, SsiClusterBuildOptions options, int port)
    {
        var name = cluster.Metadata.Name;
        var spec = cluster.Spec;
        var fs = spec.Filesystem ?? new SsiFilesystemSpec();
        var mode = fs.Mode ?? SsiFilesystemSpec.ModeCfs;
        var mountPath = fs.MountPath ?? SsiFilesystemSpec.DefaultMountPath;
        var bidirectional = "Bidirectional";

        var volumes = new List<V1Volume>
        {
            new() { Name = "dev", HostPath = new V1HostPathVolumeSource { Path = "/dev", Type = "Directory" } },
            new() { Name = "run-ssi", HostPath = new V1HostPathVolumeSource { Path = RunPath, Type = "DirectoryOrCreate" } },
            new() { Name = "shared-fs", HostPath = new V1HostPathVolumeSource { Path = mountPath, Type = "DirectoryOrCreate" } },
            new() { Name = "tls", Secret = new V1SecretVolumeSource { SecretName = SsiClusterNames.AgentTlsSecret(name), DefaultMode = 0x180 } },
            new() { Name = "topology", ConfigMap = new V1ConfigMapVolumeSource { Name = SsiClusterNames.Topology(name) } },
            mode == SsiFilesystemSpec.ModePvc
                ? new() { Name = "data", PersistentVolumeClaim = new V1PersistentVolumeClaimVolumeSource { ClaimName = fs.ClaimName } }
                : new() { Name = "data", HostPath = new V1HostPathVolumeSource { Path = fs.HostPath ?? $"/var/lib/ssi-operator/{cluster.Metadata.NamespaceProperty}/{name}/cfs", Type = "DirectoryOrCreate" } },
        };
        var mounts = new List<V1VolumeMount>
        {
            new() { Name = "dev", MountPath = "/dev" },
            new() { Name = "run-ssi", MountPath = RunPath, MountPropagation = bidirectional },
            new() { Name = "shared-fs", MountPath = mountPath, MountPropagation = bidirectional },
            new() { Name = "tls", MountPath = CredentialsPath, ReadOnlyProperty = true },
            new() { Name = "topology", MountPath = TopologyPath, ReadOnlyProperty = true },
            new() { Name = "data", MountPath = DataPath },
        };

        var env = new List<V1EnvVar>
        {
            new() { Name = "Agent__Cluster", Value = name },
            new() { Name = "Agent__Node", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "spec.nodeName" } } },
            new() { Name = "POD_IP", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "status.podIP" } } },
            // The node index (part of every cluster PID minted on the node), the node's exported devices
            // and the other agents: one template serves every node, so each agent looks itself up there.
            new() { Name = "Agent__TopologyFile", Value = TopologyPath + "/" + ClusterTopology.FileName },
            new() { Name = "Agent__Port", Value = port.ToString(CultureInfo.InvariantCulture) },
            new() { Name = "Agent__AdvertisedEndpoint", Value = $"$(POD_IP):{port.ToString(CultureInfo.InvariantCulture)}" },
            new() { Name = "Agent__CredentialsDirectory", Value = CredentialsPath },
            new() { Name = "Agent__CredentialName", Value = "agent" },
            new() { Name = "Agent__StateDirectory", Value = RunPath + "/state" },
            new() { Name = "Agent__ShimInstallDirectory", Value = RunPath + "/bin" },
            new() { Name = "Filesystem__Enabled", Value = "true" },
            new() { Name = "Filesystem__Mode", Value = mode },
            new() { Name = "Filesystem__MountPath", Value = mountPath },
            new() { Name = "Filesystem__BackingDirectory", Value = DataPath },
            new() { Name = "Filesystem__HomeNode", Value = SsiClusterNames.Home(spec) },
            new() { Name = "Logging__LogLevel__Default", Value = spec.Agent?.LogLevel ?? "Information" },
        };

        if (mode == SsiFilesystemSpec.ModeCfs && SsiClusterNames.Home(spec).Length > 0)
        {
            // The other nodes forward to the home through the home Service (see HomeService).
            env.Add(new() { Name = "Filesystem__HomeEndpoint", Value = $"{SsiClusterNames.HomeService(name)}.{cluster.Metadata.NamespaceProperty}.svc:{port.ToString(CultureInfo.InvariantCulture)}" });
        }

        V1Affinity? affinity = null;
        if (spec.Nodes is { Count: > 0 } nodes)
        {
            affinity = new V1Affinity
            {
                NodeAffinity = new V1NodeAffinity
                {
                    RequiredDuringSchedulingIgnoredDuringExecution = new V1NodeSelector
                    {
                        NodeSelectorTerms =
                        [
                            new V1NodeSelectorTerm
                            {
                                MatchExpressions = [new V1NodeSelectorRequirement { Key = "kubernetes.io/hostname", OperatorProperty = "In", Values = nodes.Select(n => n.Name).ToList() }],
                            },
                        ],
                    },
                },
            };
        }

        var podLabels = SsiClusterNames.Labels(name);
        return new V1DaemonSet
        {
            Metadata = meta,
            Spec = new V1DaemonSetSpec
            {
                Selector = new V1LabelSelector { MatchLabels = SsiClusterNames.SelectorLabels(name) },
                UpdateStrategy = new V1DaemonSetUpdateStrategy { Type = "RollingUpdate", RollingUpdate = new V1RollingUpdateDaemonSet { MaxUnavailable = "1" } },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta
                    {
                        Labels = podLabels,
                        // A new agent certificate restarts the agents (rolling), so that they present it.
                        Annotations = new Dictionary<string, string>(StringComparer.Ordinal) { ["ssi.io/tls-hash"] = SpecHashing.Of(certificates.AgentCertificatePem) },
                    },
                    Spec = new V1PodSpec
                    {
                        ServiceAccountName = SsiClusterNames.Agent(name),
                        AutomountServiceAccountToken = true,
                        HostPID = true,
                        PriorityClassName = "system-node-critical",
                        TerminationGracePeriodSeconds = 30,
                        NodeSelector = spec.NodeSelector is { Count: > 0 } selector ? new Dictionary<string, string>(selector, StringComparer.Ordinal) : null,
                        Affinity = affinity,
                        Tolerations = [new V1Toleration { OperatorProperty = "Exists", Effect = "NoSchedule" }],
                        Containers =
                        [
                            new V1Container
                            {
                                Name = "agent",
                                Image = spec.Agent?.Image ?? options.DefaultAgentImage,
                                ImagePullPolicy = options.ImagePullPolicy,
                                Env = env,
                                Ports =
                                [
                                    new V1ContainerPort { Name = "grpc", ContainerPort = port, Protocol = "TCP" },
                                    // The home's filesystem links (Filesystem:LinkPort defaults to the agent's port + 1).
                                    new V1ContainerPort { Name = "fs-link", ContainerPort = port + 1, Protocol = "TCP" },
                                    // Every agent's bulk links: relays and checkpoint images (Agent:BulkPort defaults to the agent's port + 2).
                                    new V1ContainerPort { Name = "bulk-link", ContainerPort = port + 2, Protocol = "TCP" },
                                ],
                                SecurityContext = new V1SecurityContext { Privileged = true, RunAsUser = 0 },
                                VolumeMounts = mounts,
                                // An agent waits for its node in the topology before it listens: the ConfigMap
                                // reaches a new node's pod within the kubelet's sync period (about a minute).
                                StartupProbe = new V1Probe { TcpSocket = new V1TCPSocketAction { Port = port }, PeriodSeconds = 5, FailureThreshold = 60 },
                                ReadinessProbe = new V1Probe { TcpSocket = new V1TCPSocketAction { Port = port }, PeriodSeconds = 5 },
                                LivenessProbe = new V1Probe { TcpSocket = new V1TCPSocketAction { Port = port }, PeriodSeconds = 20, FailureThreshold = 3 },
                                Resources = new V1ResourceRequirements
                                {
                                    Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("50m"), ["memory"] = new("64Mi") },
                                },
                            },
                        ],
                        Volumes = volumes,
                    },
                },
            },
        };
    }

    private static byte[] Utf8(string text) => System.Text.Encoding.UTF8.GetBytes(text);
}
