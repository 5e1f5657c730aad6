namespace Ssi.Agent.Migration.Bulk;

/// <summary>A bulk link's peer broke the protocol (or refused the request): the link is closed.</summary>
internal sealed class BulkProtocolException : IOException
{
    public BulkProtocolException()
    {
    }

    public BulkProtocolException(string message)
        : base(message)
    {
    }

    public BulkProtocolException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
