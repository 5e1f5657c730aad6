namespace Ssi.Agent.Filesystem;

/// <summary>
/// Who asked: the uid, gid and pid of the calling process on its node. For a create in a
/// set-group-ID directory the kernel also names the directory's group when the caller is a member
/// of it through a supplementary group (FUSE_CREATE_SUPP_GROUP): <see cref="SupplementaryGroup"/>.
/// </summary>
internal readonly record struct CallerContext(uint Uid, uint Gid, uint Pid)
{
    public uint? SupplementaryGroup { get; init; }

    /// <summary>Whether the caller may act as a member of <paramref name="gid"/> (root may: CAP_FSETID).</summary>
    public bool IsInGroup(uint gid) => Uid == 0 || Gid == gid || SupplementaryGroup == gid;
}
