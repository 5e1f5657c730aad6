namespace Ssi.Agent.Migration;

/// <summary>A migration step failed for a reason a user can read (mapped to FailedPrecondition).</summary>
internal sealed class MigrationException : Exception
{
    public MigrationException(string message)
        : base(message)
    {
    }

    public MigrationException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
