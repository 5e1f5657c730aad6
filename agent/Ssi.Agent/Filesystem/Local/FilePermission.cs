namespace Ssi.Agent.Filesystem.Local;

/// <summary>
/// The classic owner/group/other check of an open, for the few opens the server performs on its own
/// judgement (the kernel's default_permissions checks every other request before it is sent).
/// Only the caller's primary group is known, so a member through a supplementary group is refused:
/// the check errs on the side of EACCES.
/// </summary>
internal static class FilePermission
{
    private const int O_ACCMODE = 3;
    private const int O_WRONLY = 1;
    private const int O_RDWR = 2;
    private const int O_TRUNC = 0x200;

    public static bool Allows(in NodeAttributes file, in CallerContext caller, int openFlags)
    {
        if (caller.Uid == 0)
        {
            return true;
        }

        var access = openFlags & O_ACCMODE;
        var wanted = access switch
        {
            O_WRONLY => 2u,
            O_RDWR => 6u,
            _ => 4u,
        };
        if ((openFlags & O_TRUNC) != 0)
        {
            wanted |= 2;
        }

        var shift = caller.Uid == file.Uid ? 6 : caller.Gid == file.Gid ? 3 : 0;
        return ((file.Mode >> shift) & wanted) == wanted;
    }
}
