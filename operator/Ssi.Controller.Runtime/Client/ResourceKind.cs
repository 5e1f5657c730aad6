namespace Ssi.Controller.Runtime.Client;

/// <summary>Where a kind lives in the API: group ("" for core), version, plural, kind, scope.</summary>
public sealed record ResourceKind(string Group, string Version, string Plural, string Kind, bool Namespaced = true)
{
    public string ApiVersion => Group.Length == 0 ? Version : Group + "/" + Version;

    public static ResourceKind Secret { get; } = new("", "v1", "secrets", "Secret");
    public static ResourceKind ConfigMap { get; } = new("", "v1", "configmaps", "ConfigMap");
    public static ResourceKind Service { get; } = new("", "v1", "services", "Service");
    public static ResourceKind ServiceAccount { get; } = new("", "v1", "serviceaccounts", "ServiceAccount");
    public static ResourceKind Pod { get; } = new("", "v1", "pods", "Pod");
    public static ResourceKind Event { get; } = new("", "v1", "events", "Event");
    public static ResourceKind DaemonSet { get; } = new("apps", "v1", "daemonsets", "DaemonSet");
    public static ResourceKind Role { get; } = new("rbac.authorization.k8s.io", "v1", "roles", "Role");
    public static ResourceKind RoleBinding { get; } = new("rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding");
    public static ResourceKind Lease { get; } = new("coordination.k8s.io", "v1", "leases", "Lease");
}
