namespace Ssi.Agent.Migration.Planning;

/// <summary>
/// The classification of one descriptor: what it is and what the migration does with it.
/// <paramref name="TcpRepair"/>: a TCP connection criu dumps and restores as it is (both ends in the workload).
/// </summary>
internal sealed record PlannedFd(
    OpenDescriptor Descriptor,
    string Kind,
    string Action,
    string Reason,
    string Key = "",
    string Direction = "",
    bool TcpRepair = false)
{
    public bool IsBlocker => Action == DescriptorKinds.Blocked;
}
