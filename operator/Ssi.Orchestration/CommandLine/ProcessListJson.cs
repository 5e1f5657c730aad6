using Ssi.Orchestration.Processes;

namespace Ssi.Orchestration.CommandLine;

/// <summary>The machine-readable form of <c>ps -o json</c>.</summary>
public sealed record ProcessListJson(IReadOnlyList<ProcessJson> Processes, IReadOnlyList<UnreachableNode> Unreachable)
{
    public static ProcessListJson From(ClusterProcessList list)
    {
        ArgumentNullException.ThrowIfNull(list);
        return new(list.Processes.Select(ProcessJson.From).ToList(), list.Unreachable);
    }
}
