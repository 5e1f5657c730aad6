namespace Ssi.Agent.Filesystem.Forwarding;

/// <summary>A frame of the filesystem link that breaks the protocol: the link is closed.</summary>
internal sealed class LinkProtocolException : Exception
{
    public LinkProtocolException()
    {
    }

    public LinkProtocolException(string message)
        : base(message)
    {
    }

    public LinkProtocolException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
