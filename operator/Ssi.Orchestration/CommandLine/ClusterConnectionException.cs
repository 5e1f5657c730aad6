namespace Ssi.Orchestration.CommandLine;

/// <summary>The cluster a command names does not exist or its agents cannot be reached; the message is for the user.</summary>
public sealed class ClusterConnectionException : Exception
{
    public ClusterConnectionException()
    {
    }

    public ClusterConnectionException(string message)
        : base(message)
    {
    }

    public ClusterConnectionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
