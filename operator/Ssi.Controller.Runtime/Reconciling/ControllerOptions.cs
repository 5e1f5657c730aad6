using Ssi.Controller.Runtime.Queue;

namespace Ssi.Controller.Runtime.Reconciling;

public sealed record ControllerOptions
{
    public required string Name { get; init; }

    public int Workers { get; init; } = 2;

    public WorkQueueOptions Queue { get; init; } = new();
}
