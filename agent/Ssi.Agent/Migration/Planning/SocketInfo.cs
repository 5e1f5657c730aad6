namespace Ssi.Agent.Migration.Planning;

/// <summary>What the node's socket tables say of one socket inode.</summary>
internal sealed record SocketInfo(ulong Inode, string Protocol, string State, string LocalAddress, ulong PeerInode, string PeerAddress = "")
{
    public bool IsUnix => Protocol.StartsWith("u_", StringComparison.Ordinal);
}
