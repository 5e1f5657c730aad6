namespace Ssi.Agent.Node;

/// <summary>Whether a facility works on this node, its version, and why not.</summary>
internal sealed record NodeCapability(bool Available, string Version, string Reason)
{
    public static NodeCapability Missing(string reason) => new(false, "", reason);

    public static NodeCapability From((bool Available, string Reason) probe) => new(probe.Available, "", probe.Reason);

    public override string ToString() => Available
        ? (Version.Length > 0 ? Version : "yes")
        : $"no ({Reason})";

    public Contracts.V1.Capability ToContract() => new() { Available = Available, Version = Version, Reason = Reason };
}
