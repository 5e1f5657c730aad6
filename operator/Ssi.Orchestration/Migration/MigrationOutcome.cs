using Ssi.Api.V1Alpha1;

namespace Ssi.Orchestration.Migration;

/// <summary>Where a migration stands; the coordinator fills it as it goes and reports every phase change.</summary>
public sealed class MigrationOutcome
{
    public string Phase { get; set; } = MigrationPhases.Pending;

    public string? SourceNode { get; set; }

    public string? TargetNode { get; set; }

    public string? Mode { get; set; }

    public long? FreezeMs { get; set; }

    public long? BytesTransferred { get; set; }

    public long? MemoryBytes { get; set; }

    public string? Message { get; set; }

    public IReadOnlyList<MigrationDescriptorPlan> Plan { get; set; } = [];

    /// <summary>Per-step times in milliseconds (dump, transfer, restore), for the summary.</summary>
    public Dictionary<string, long> StepMs { get; } = new(StringComparer.Ordinal);

    public bool Succeeded => Phase == MigrationPhases.Succeeded;
}
