namespace Ssi.Testing.FakeApiServer;

/// <summary>A kind the fake API server stores: where it lives in the URL space and how it behaves.</summary>
public sealed record FakeResourceType(string Group, string Version, string Plural, string Kind, bool Namespaced, bool HasStatus)
{
    /// <summary>Short names served by discovery (kubectl get ssic).</summary>
    public IReadOnlyList<string> ShortNames { get; init; } = [];

    public string ApiVersion => Group.Length == 0 ? Version : Group + "/" + Version;

    /// <summary>Group + plural: the storage identity of the kind (one version served per kind).</summary>
    public string Key => Group + "/" + Plural;

    public static IReadOnlyList<FakeResourceType> BuiltIn { get; } =
    [
        new("", "v1", "namespaces", "Namespace", false, true),
        new("", "v1", "nodes", "Node", false, true),
        new("", "v1", "pods", "Pod", true, true),
        new("", "v1", "services", "Service", true, true),
        new("", "v1", "secrets", "Secret", true, false),
        new("", "v1", "configmaps", "ConfigMap", true, false),
        new("", "v1", "serviceaccounts", "ServiceAccount", true, false),
        new("", "v1", "events", "Event", true, false),
        new("apps", "v1", "daemonsets", "DaemonSet", true, true),
        new("apps", "v1", "deployments", "Deployment", true, true),
        new("rbac.authorization.k8s.io", "v1", "roles", "Role", true, false),
        new("rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding", true, false),
        new("rbac.authorization.k8s.io", "v1", "clusterroles", "ClusterRole", false, false),
        new("rbac.authorization.k8s.io", "v1", "clusterrolebindings", "ClusterRoleBinding", false, false),
        new("coordination.k8s.io", "v1", "leases", "Lease", true, false),
        new("events.k8s.io", "v1", "events", "Event", true, false),
        new("apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition", false, true),
        new("ssi.io", "v1alpha1", "ssiclusters", "SsiCluster", true, true),
        new("ssi.io", "v1alpha1", "processmigrations", "ProcessMigration", true, true),
    ];
}
