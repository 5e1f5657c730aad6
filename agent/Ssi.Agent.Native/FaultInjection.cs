namespace Ssi.Agent.Native;

/// <summary>
/// Crash points for tests: when the environment variable SSI_FAULT names a point, the process
/// kills itself with SIGKILL there, as a power cut or an OOM kill would. Off unless set.
/// </summary>
public static class FaultInjection
{
    public const string Variable = "SSI_FAULT";

    private static readonly string[] Points =
        (Environment.GetEnvironmentVariable(Variable) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public static void Crash(string point)
    {
        if (Points.Length > 0 && Points.Contains(point, StringComparer.Ordinal))
        {
            Console.Error.WriteLine($"fault injection: crashing at {point}");
            Console.Error.Flush();
            _ = ProcessSignals.Send(Environment.ProcessId, ProcessSignals.SIGKILL);
            Thread.Sleep(Timeout.Infinite);
        }
    }
}
