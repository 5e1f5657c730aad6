namespace Ssi.Controller.Runtime.Leadership;

public sealed record LeaderElectionOptions
{
    public bool Enabled { get; init; } = true;

    public string LeaseNamespace { get; init; } = "default";

    public string LeaseName { get; init; } = "ssi-operator-leader";

    /// <summary>This instance's identity in the lease (the pod name in a cluster).</summary>
    public string Identity { get; init; } = Environment.MachineName + "-" + Guid.NewGuid().ToString("N")[..8];

    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(15);

    public TimeSpan RenewDeadline { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan RetryPeriod { get; init; } = TimeSpan.FromSeconds(2);
}
