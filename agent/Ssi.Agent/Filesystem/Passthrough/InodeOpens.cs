namespace Ssi.Agent.Filesystem.Passthrough;

/// <summary>The open files of one inode, by where they are and how they do I/O.</summary>
internal sealed class InodeOpens
{
    /// <summary>The home's kernel's passthrough opens; they all share <see cref="BackingId"/> (the kernel allows one backing file per inode).</summary>
    public int HomePassthrough { get; set; }

    /// <summary>The home's kernel's opens through its page cache (the kernel refuses a passthrough open next to one).</summary>
    public int HomeCached { get; set; }

    /// <summary>Opens on other nodes, cached or direct.</summary>
    public int Remote { get; set; }

    /// <summary>The passthrough backing file registered with the home's kernel while <see cref="HomePassthrough"/> is not 0.</summary>
    public int BackingId { get; set; }

    public bool IsEmpty => HomePassthrough == 0 && HomeCached == 0 && Remote == 0;
}
