namespace Ssi.Agent.Filesystem;

/// <summary>
/// Extended attributes the shared filesystem does not keep: POSIX ACLs (the kernels check
/// permissions from the mode bits alone: default_permissions without FUSE_POSIX_ACL, so an ACL on a
/// backing file would look in force and not be) and SELinux labels (a label is one node's policy;
/// on a node that enforces SELinux its kernel labels FUSE files by policy and never asks). Every call
/// on them answers EOPNOTSUPP, as a filesystem mounted noacl and without label support does, and they
/// are left out of attribute lists. That answer also tells `ls -l` (and others) that the filesystem
/// has neither, so they stop asking for each file: ENODATA would cost two round trips per entry.
/// </summary>
internal static class UnsupportedAttributes
{
    private static ReadOnlySpan<byte> AccessAcl => "system.posix_acl_access"u8;

    private static ReadOnlySpan<byte> DefaultAcl => "system.posix_acl_default"u8;

    private static ReadOnlySpan<byte> SelinuxLabel => "security.selinux"u8;

    public static bool Contains(ReadOnlySpan<byte> name) =>
        name.SequenceEqual(AccessAcl) || name.SequenceEqual(DefaultAcl) || name.SequenceEqual(SelinuxLabel);

    /// <summary>Throws EOPNOTSUPP for a name the filesystem does not keep.</summary>
    public static void Refuse(ReadOnlySpan<byte> name)
    {
        if (Contains(name))
        {
            throw new FsError(Errno.EOPNOTSUPP);
        }
    }

    /// <summary>
    /// Copies a listxattr list (names each ended by NUL) without the names the filesystem does not
    /// keep; returns the length of the kept list. With an empty <paramref name="into"/> only measures
    /// it; a list that does not fit is ERANGE.
    /// </summary>
    public static int Filter(ReadOnlySpan<byte> names, Span<byte> into)
    {
        var length = 0;
        while (!names.IsEmpty)
        {
            var end = names.IndexOf((byte)0);
            var entry = end < 0 ? names : names[..(end + 1)];
            names = end < 0 ? [] : names[(end + 1)..];
            if (Contains(end < 0 ? entry : entry[..^1]))
            {
                continue;
            }

            if (!into.IsEmpty)
            {
                if (length + entry.Length > into.Length)
                {
                    throw new FsError(Errno.ERANGE);
                }

                entry.CopyTo(into[length..]);
            }

            length += entry.Length;
        }

        return length;
    }
}
