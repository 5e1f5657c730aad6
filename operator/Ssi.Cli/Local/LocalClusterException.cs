namespace Ssi.Cli.Local;

/// <summary>A local-mode operation that cannot be done; the message says why and what to do.</summary>
internal sealed class LocalClusterException : Exception
{
    public LocalClusterException()
    {
    }

    public LocalClusterException(string message)
        : base(message)
    {
    }

    public LocalClusterException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
