namespace Ssi.Agent.Filesystem;

/// <summary>File handles with a meaning of their own.</summary>
internal static class FileHandles
{
    /// <summary>
    /// A read-only open that a forwarding node answered itself (no round trip to the home): reads name
    /// the file by its node id, and the home serves them from one read-only descriptor per file.
    /// </summary>
    public const ulong SharedRead = ulong.MaxValue;
}
