namespace Ssi.Agent.Migration.Planning;

/// <summary>What the classifier needs to know of the devices feature: this node's exported device paths and where remote device files live.</summary>
internal sealed record DeviceContext(IReadOnlySet<string> ExportedPaths, string RemoteMountPath)
{
    public static readonly DeviceContext None = new(new HashSet<string>(), "/run/ssi/dev");
}
