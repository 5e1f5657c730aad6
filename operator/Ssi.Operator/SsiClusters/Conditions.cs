using k8s.Models;

namespace Ssi.Operator.SsiClusters;

/// <summary>Condition lists: lastTransitionTime moves only when a condition's status flips.</summary>
internal static class Conditions
{
    public const string True = "True";
    public const string False = "False";
    public const string Unknown = "Unknown";

    public static V1Condition Make(IEnumerable<V1Condition>? previous, string type, bool status, string reason, string message, long? generation, DateTimeOffset now)
    {
        var value = status ? True : False;
        var old = previous?.FirstOrDefault(c => c.Type == type);
        var since = old is not null && old.Status == value ? old.LastTransitionTime : Truncate(now);
        return new V1Condition
        {
            Type = type,
            Status = value,
            Reason = reason,
            Message = message,
            ObservedGeneration = generation,
            LastTransitionTime = since,
        };
    }

    public static bool IsTrue(IEnumerable<V1Condition>? conditions, string type) =>
        conditions?.FirstOrDefault(c => c.Type == type)?.Status == True;

    /// <summary>Kubernetes keeps times to the second.</summary>
    private static DateTime Truncate(DateTimeOffset now) => new(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
}
