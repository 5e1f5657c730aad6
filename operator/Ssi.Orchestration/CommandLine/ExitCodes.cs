namespace Ssi.Orchestration.CommandLine;

public static class ExitCodes
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int InvalidInput = 2;
    public const int Unhealthy = 3;

    /// <summary>Ended by ^C (128 + SIGINT, as shells report it).</summary>
    public const int Interrupted = 130;
}
