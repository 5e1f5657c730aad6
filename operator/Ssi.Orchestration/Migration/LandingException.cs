namespace Ssi.Orchestration.Migration;

/// <summary>No landing place could be made on the target (nothing was frozen yet).</summary>
public sealed class LandingException : Exception
{
    public LandingException(string message)
        : base(message)
    {
    }

    public LandingException()
    {
    }

    public LandingException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
