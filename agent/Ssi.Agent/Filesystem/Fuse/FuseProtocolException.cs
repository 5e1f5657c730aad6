namespace Ssi.Agent.Filesystem.Fuse;

/// <summary>A malformed message from the kernel (answered with EIO, never trusted).</summary>
internal sealed class FuseProtocolException : Exception
{
    public FuseProtocolException()
    {
    }

    public FuseProtocolException(string message)
        : base(message)
    {
    }

    public FuseProtocolException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
