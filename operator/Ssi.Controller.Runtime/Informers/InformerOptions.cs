namespace Ssi.Controller.Runtime.Informers;

public sealed record InformerOptions
{
    /// <summary>Only objects with these labels are listed, watched and cached.</summary>
    public string? LabelSelector { get; init; }

    /// <summary>Every cached object is handed to the handlers again this often (0: never).</summary>
    public TimeSpan ResyncPeriod { get; init; } = TimeSpan.FromMinutes(10);

    public int PageSize { get; init; } = 500;

    /// <summary>The server ends a watch after this long; the informer resumes from the last resourceVersion.</summary>
    public TimeSpan WatchTimeout { get; init; } = TimeSpan.FromMinutes(5);

    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);
}
