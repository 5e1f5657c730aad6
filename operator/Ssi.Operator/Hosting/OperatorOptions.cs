using System.ComponentModel.DataAnnotations;

namespace Ssi.Operator.Hosting;

/// <summary>The operator's settings (configuration section <c>Operator</c>, environment <c>Operator__*</c>).</summary>
public sealed class OperatorOptions
{
    public const string Section = "Operator";

    /// <summary>Agent image when an SsiCluster names none.</summary>
    [Required]
    public string AgentImage { get; set; } = "ghcr.io/ssi-operator/agent:0.1.0";

    public string ImagePullPolicy { get; set; } = "IfNotPresent";

    [Range(1, 64)]
    public int Workers { get; set; } = 4;

    /// <summary>Every cached object is reconciled again this often.</summary>
    public TimeSpan ResyncPeriod { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How often a Ready cluster's agents are probed.</summary>
    public TimeSpan HealthyPollInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often a cluster that is not Ready is looked at again.</summary>
    public TimeSpan UnhealthyPollInterval { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan AgentProbeTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>How long the finalizer waits for the agents' cleanup before letting the cluster go.</summary>
    public TimeSpan CleanupTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Certificates are issued anew this long before they expire.</summary>
    public TimeSpan CertificateRenewBefore { get; set; } = TimeSpan.FromDays(30);

    public bool LeaderElection { get; set; } = true;

    /// <summary>Namespace of the leader Lease (the operator's own namespace).</summary>
    public string LeaseNamespace { get; set; } = "default";

    public string LeaseName { get; set; } = "ssi-operator-leader";

    /// <summary>Identity in the Lease; default: the pod name (HOSTNAME).</summary>
    public string? Identity { get; set; }

    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(15);

    public TimeSpan RenewDeadline { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan RetryPeriod { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>HTTP endpoint for /metrics, /healthz, /readyz.</summary>
    public string HttpUrl { get; set; } = "http://0.0.0.0:8080";
}
