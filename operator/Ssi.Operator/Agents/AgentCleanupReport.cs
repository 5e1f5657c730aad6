using Ssi.Orchestration.Processes;

namespace Ssi.Operator.Agents;

/// <summary>Which agents of a deleted cluster cleaned up, and which did not (unreachable, no pod, or a failure they reported).</summary>
internal sealed record AgentCleanupReport(IReadOnlyList<string> Cleaned, IReadOnlyList<UnreachableNode> NotCleaned)
{
    public bool Complete => NotCleaned.Count == 0;

    public string Message =>
        (Cleaned.Count == 0 ? "No agent cleaned up." : $"Agents cleaned up on {string.Join(", ", Cleaned)}.")
        + (Complete ? "" : $" Not cleaned up: {string.Join("; ", NotCleaned.Select(n => $"{n.Node} ({n.Reason.TrimEnd('.')})"))}; the cluster is removed anyway, and those nodes unmount when their agent pods stop.");
}
