using System.Text.Json.Serialization;

namespace Ssi.Api.V1Alpha1;

/// <summary>One descriptor of one process of a migrating tree, and what the migration does with it.</summary>
public sealed class MigrationDescriptorPlan
{
    /// <summary>Cluster PID of the process that holds the descriptor.</summary>
    [JsonPropertyName("clusterPid")]
    public long ClusterPid { get; set; }

    [JsonPropertyName("fd")]
    public int Fd { get; set; }

    /// <summary>file, directory, pipe, fifo, tty, unix-socket, tcp-socket, udp-socket, eventfd, signalfd, timerfd, epoll, device, other.</summary>
    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "";

    /// <summary>reopen (by path on the shared filesystem), stay-home (relayed stand-in), recreate (rebuilt by CRIU), blocked.</summary>
    [JsonPropertyName("action")]
    public string Action { get; set; } = "";

    /// <summary>Path, or the kernel's name of the object (pipe:[123]).</summary>
    [JsonPropertyName("target")]
    public string? Target { get; set; }

    /// <summary>Why the descriptor blocks the migration, or what the outcome was.</summary>
    [JsonPropertyName("reason")]
    public string? Reason { get; set; }
}
