namespace Ssi.Cli.Local;

/// <summary>A host program that failed; the message carries its command line and what it printed.</summary>
internal sealed class HostCommandException : Exception
{
    public HostCommandException(HostCommandResult result)
        : base($"`{result.CommandLine}` failed with exit code {result.ExitCode}: {result.StandardError.Trim()}")
    {
        Result = result;
    }

    public HostCommandResult Result { get; }
}
