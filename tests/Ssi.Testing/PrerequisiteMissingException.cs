namespace Ssi.Testing;

/// <summary>Thrown by <see cref="Prerequisites"/>: the test cannot run here, and says what is missing.</summary>
public sealed class PrerequisiteMissingException : Exception
{
    public PrerequisiteMissingException()
    {
    }

    public PrerequisiteMissingException(string missing)
        : base($"Missing prerequisite: {missing}")
    {
    }

    public PrerequisiteMissingException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
