namespace Ssi.Agent.Migration.Planning;

/// <summary>The classification of one descriptor: what it is and what the migration does with it.</summary>
internal sealed record PlannedFd(
    OpenDescriptor Descriptor,
    string Kind,
    string Action,
    string Reason,
    string Key = "",
    string Direction = "")
{
    public bool IsBlocker => Action == DescriptorKinds.Blocked;
}
