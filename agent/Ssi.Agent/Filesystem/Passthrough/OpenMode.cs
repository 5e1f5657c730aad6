namespace Ssi.Agent.Filesystem.Passthrough;

/// <summary>How a node's kernel does I/O on one open file.</summary>
internal enum OpenMode
{
    /// <summary>Through its page cache, reads and writes sent to the server: the home sees every write and invalidates other nodes.</summary>
    Cached,

    /// <summary>The home's kernel reads and writes the backing file itself (FOPEN_PASSTHROUGH): the server sees none of it.</summary>
    Passthrough,

    /// <summary>No page cache: every read and write goes to the home (FOPEN_DIRECT_IO).</summary>
    DirectIo,
}
