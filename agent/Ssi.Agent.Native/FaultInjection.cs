namespace Ssi.Agent.Native;

/// <summary>
/// Crash points for tests: when the environment variable SSI_FAULT names a point, the process
/// kills itself with SIGKILL there, as a power cut or an OOM kill would (<see cref="Crash"/>); other
/// points make a step behave as if a link broke (<see cref="Enabled"/>). Off unless set.
/// </summary>
public static class FaultInjection
{
    public const string Variable = "SSI_FAULT";

    private static readonly string[] Points =
        (Environment.GetEnvironmentVariable(Variable) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Whether the fault <paramref name="point"/> is asked for (a point that is not a crash).</summary>
    public static bool Enabled(string point) => Points.Length > 0 && Points.Contains(point, StringComparer.Ordinal);

    public static void Crash(string point)
    {
        if (Enabled(point))
        {
            Console.Error.WriteLine($"fault injection: crashing at {point}");
            Console.Error.Flush();
            _ = ProcessSignals.Send(Environment.ProcessId, ProcessSignals.SIGKILL);
            Thread.Sleep(Timeout.Infinite);
        }
    }
}
