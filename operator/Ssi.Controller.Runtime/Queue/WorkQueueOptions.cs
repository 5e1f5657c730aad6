namespace Ssi.Controller.Runtime.Queue;

/// <summary>Per-key exponential backoff: base * 2^(failures-1), at most <see cref="MaxDelay"/>.</summary>
public sealed record WorkQueueOptions
{
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(50);

    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromMinutes(5);
}
