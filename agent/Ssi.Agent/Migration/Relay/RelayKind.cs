using Ssi.Agent.Migration.Planning;

namespace Ssi.Agent.Migration.Relay;

/// <summary>Which way data flows for the migrated process: it reads, writes, or both (terminal, socket).</summary>
internal enum RelayDirection
{
    /// <summary>The process reads: the home reads the object and sends, the stand-in writes into the process's end.</summary>
    Read,

    /// <summary>The process writes: the stand-in reads the process's end and sends, the home writes into the object.</summary>
    Write,

    Both,
}

internal static class RelayKinds
{
    /// <summary>
    /// A stream socket (unix or TCP) can be half-closed: end of file one way leaves the other way
    /// open, so a relay ends only when both ways have ended.
    /// </summary>
    public static bool HalfCloses(string kind) => kind is DescriptorKinds.UnixSocket or DescriptorKinds.TcpSocket;
}
