namespace Ssi.Orchestration.Migration;

/// <summary>The request cannot be carried out as asked (unknown process or node, same node, bad mode); nothing was touched.</summary>
public sealed class MigrationRejectedException : Exception
{
    public MigrationRejectedException(string message)
        : base(message)
    {
    }

    public MigrationRejectedException()
    {
    }

    public MigrationRejectedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
