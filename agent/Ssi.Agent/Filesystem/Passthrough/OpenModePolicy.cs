namespace Ssi.Agent.Filesystem.Passthrough;

/// <summary>
/// Which mode a new open of an inode gets, so that passthrough on the home never costs coherency:
/// the home's writes through a passthrough file bypass the agent, so other nodes must then hold no
/// cached pages of the inode. The home's kernel also demands that an inode's opens are all
/// passthrough or all cached.
/// </summary>
internal static class OpenModePolicy
{
    /// <param name="opens">The inode's opens before this one.</param>
    /// <param name="fromHome">The open comes from the home's own kernel (the only one that can pass through).</param>
    /// <param name="passthroughAllowed">The home's kernel agreed to passthrough and nothing else forbids it now.</param>
    public static OpenMode Choose(InodeOpens opens, bool fromHome, bool passthroughAllowed)
    {
        ArgumentNullException.ThrowIfNull(opens);
        if (!fromHome)
        {
            // While the home may write behind the agent's back, other nodes read and write through it every time.
            return opens.HomePassthrough > 0 ? OpenMode.DirectIo : OpenMode.Cached;
        }

        if (opens.HomePassthrough > 0)
        {
            return OpenMode.Passthrough; // the kernel fails any other open of a passthrough inode
        }

        // Passthrough only when no cached open is in the home's kernel (it would refuse the mix) and
        // no other node has the file open (its cached pages would go stale unseen).
        return passthroughAllowed && opens.HomeCached == 0 && opens.Remote == 0 ? OpenMode.Passthrough : OpenMode.Cached;
    }
}
