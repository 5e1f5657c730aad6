using System.Globalization;

namespace Ssi.Agent.Contracts.Processes;

/// <summary>
/// A cluster-wide process ID: <c>(index of the node where the process first appeared + 1) ×
/// 1,000,000 + a node-local number</c>. Readable at a glance (1000042 first appeared on the first
/// node) and unchanged when the process migrates.
/// </summary>
public readonly record struct ClusterPid(long Value)
{
    public const long LocalRange = 1_000_000;
    public const int MaxNodeIndex = 9_000;

    public int OriginNodeIndex => (int)(Value / LocalRange) - 1;

    public long LocalNumber => Value % LocalRange;

    public static ClusterPid Create(int nodeIndex, long localNumber)
    {
        if (nodeIndex < 0 || nodeIndex > MaxNodeIndex)
        {
            throw new ArgumentOutOfRangeException(nameof(nodeIndex), nodeIndex, $"node index must be 0-{MaxNodeIndex}");
        }

        if (localNumber < 1 || localNumber >= LocalRange)
        {
            throw new ArgumentOutOfRangeException(nameof(localNumber), localNumber, $"local number must be 1-{LocalRange - 1}");
        }

        return new ClusterPid(((nodeIndex + 1) * LocalRange) + localNumber);
    }

    /// <summary>Parses a cluster PID as typed by a user; false with the reason when it is not one.</summary>
    public static bool TryParse(string? text, out ClusterPid pid, out string reason)
    {
        pid = default;
        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            reason = $"\"{text}\" is not a cluster PID (a number such as 1000001)";
            return false;
        }

        var candidate = new ClusterPid(value);
        if (value < LocalRange + 1 || candidate.LocalNumber == 0 || candidate.OriginNodeIndex > MaxNodeIndex)
        {
            reason = $"{value} is not a cluster PID: cluster PIDs are (node index + 1) × 1000000 + a number from 1 to 999999";
            return false;
        }

        pid = candidate;
        reason = "";
        return true;
    }

    public override string ToString() => Value.ToString(CultureInfo.InvariantCulture);
}
