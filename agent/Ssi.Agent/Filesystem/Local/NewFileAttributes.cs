namespace Ssi.Agent.Filesystem.Local;

/// <summary>
/// Owner, group and permission bits of a file the caller creates, as Linux gives them
/// (inode_init_owner): the kernel of the calling node already applied the caller's umask to the
/// mode, so the mode is kept as asked; the owner is the caller; the group is the directory's when
/// the directory is set-group-ID (and a new directory inherits the bit), else the caller's; and
/// set-group-ID is dropped from a group-executable file created in such a directory by a caller
/// outside its group.
/// </summary>
internal readonly record struct NewFileAttributes(uint Uid, uint Gid, uint Mode)
{
    private const uint S_IFMT = 0xF000;
    private const uint S_IFDIR = 0x4000;
    private const uint S_ISGID = 0x400;
    private const uint S_IXGRP = 0x8;
    private const uint ModeBits = 0xFFF;

    /// <param name="mode">The mode the kernel sent (type and permission bits, umask applied).</param>
    /// <param name="parentMode">The mode of the directory the file is created in.</param>
    /// <param name="parentGid">The group of that directory.</param>
    /// <param name="caller">Who creates the file.</param>
    public static NewFileAttributes Decide(uint mode, uint parentMode, uint parentGid, in CallerContext caller)
    {
        var bits = mode & ModeBits;
        if ((parentMode & S_ISGID) == 0)
        {
            return new NewFileAttributes(caller.Uid, caller.Gid, bits);
        }

        if ((mode & S_IFMT) == S_IFDIR)
        {
            bits |= S_ISGID;
        }
        else if ((bits & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP) && !caller.IsInGroup(parentGid))
        {
            bits &= ~S_ISGID;
        }

        return new NewFileAttributes(caller.Uid, parentGid, bits);
    }
}
