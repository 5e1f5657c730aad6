namespace Ssi.Orchestration.Processes;

/// <summary>No process with the given cluster PID answered anywhere in the cluster.</summary>
public sealed class ProcessNotFoundException : Exception
{
    public ProcessNotFoundException()
    {
    }

    public ProcessNotFoundException(string message)
        : base(message)
    {
    }

    public ProcessNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
