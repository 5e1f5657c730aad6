using System.Globalization;

namespace Ssi.Agent.Migration.Landing;

/// <summary>
/// The process a migrated tree lands beside (a landing pod's container on Kubernetes): the tree joins
/// its network, IPC and UTS namespaces and its cgroups.
/// </summary>
internal sealed record LandingPlaceholder(int Pid)
{
    /// <summary>Namespaces the restored tree joins instead of the node's.</summary>
    public static readonly IReadOnlyList<string> JoinedNamespaces = ["net", "ipc", "uts"];

    public string NamespacePath(string kind) => string.Create(CultureInfo.InvariantCulture, $"/proc/{Pid}/ns/{kind}");
}
