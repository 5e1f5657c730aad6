using k8s;
using k8s.LeaderElection;
using k8s.LeaderElection.ResourceLock;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Ssi.Controller.Runtime.Metrics;

namespace Ssi.Controller.Runtime.Leadership;

/// <summary>
/// One leader among the operator's replicas, on a coordination.k8s.io Lease through the client's
/// <see cref="LeaderElector"/>. The work runs only while leading; when it ends (shutdown) the lease is
/// released (shortened to one second) so that another replica takes over at once rather than after the lease duration.
/// </summary>
public sealed partial class LeaderElection(IKubernetes client, LeaderElectionOptions options, ControllerMetrics metrics, ILogger<LeaderElection> logger)
{
    public string Identity => options.Identity;

    public bool IsLeader { get; private set; }

    /// <summary>Runs <paramref name="whileLeading"/> once this instance leads; returns when leadership is lost or on cancellation.</summary>
    public async Task RunAsync(Func<CancellationToken, Task> whileLeading, CancellationToken cancellationToken)
    {
        if (!options.Enabled)
        {
            IsLeader = true;
            await whileLeading(cancellationToken).ConfigureAwait(false);
            return;
        }

        var config = new LeaderElectionConfig(new LeaseLock(client, options.LeaseNamespace, options.LeaseName, options.Identity))
        {
            LeaseDuration = options.LeaseDuration,
            RenewDeadline = options.RenewDeadline,
            RetryPeriod = options.RetryPeriod,
        };
        using var elector = new LeaderElector(config);
        using var leading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task work = Task.CompletedTask;
        elector.OnStartedLeading += () =>
        {
            IsLeader = true;
            metrics.IsLeader.Set(1);
            LogLeading(logger, options.Identity, options.LeaseNamespace, options.LeaseName);
            work = Task.Run(() => whileLeading(leading.Token), CancellationToken.None);
        };
        elector.OnStoppedLeading += () =>
        {
            IsLeader = false;
            metrics.IsLeader.Set(0);
            LogStoppedLeading(logger, options.Identity);
            leading.Cancel();
        };
        elector.OnNewLeader += leader => LogNewLeader(logger, leader);

        try
        {
            await elector.RunUntilLeadershipLostAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            await leading.CancelAsync().ConfigureAwait(false);
            try
            {
                await work.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }

            if (IsLeader || elector.IsLeader())
            {
                await ReleaseAsync().ConfigureAwait(false);
            }

            IsLeader = false;
            metrics.IsLeader.Set(0);
        }
    }

    private async Task ReleaseAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            var lease = await client.CoordinationV1.ReadNamespacedLeaseAsync(options.LeaseName, options.LeaseNamespace, cancellationToken: timeout.Token).ConfigureAwait(false);
            if (lease.Spec?.HolderIdentity != options.Identity)
            {
                return;
            }

            // The client's elector recreates a lease without holder (a conflict once it exists), so the
            // holder stays and the lease is made as short as possible: the others take over a second
            // after they see the change.
            lease.Spec.LeaseDurationSeconds = 1;
            lease.Spec.RenewTime = DateTime.UtcNow;
            await client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, options.LeaseName, options.LeaseNamespace, cancellationToken: timeout.Token).ConfigureAwait(false);
            LogReleased(logger, options.Identity);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogReleaseFailed(logger, e);
        }
    }

    [LoggerMessage(EventId = 1020, Level = LogLevel.Information, Message = "{Identity} leads (lease {LeaseNamespace}/{LeaseName})")]
    private static partial void LogLeading(ILogger logger, string identity, string leaseNamespace, string leaseName);

    [LoggerMessage(EventId = 1021, Level = LogLevel.Warning, Message = "{Identity} lost the leadership")]
    private static partial void LogStoppedLeading(ILogger logger, string identity);

    [LoggerMessage(EventId = 1022, Level = LogLevel.Information, Message = "The leader is {Leader}")]
    private static partial void LogNewLeader(ILogger logger, string leader);

    [LoggerMessage(EventId = 1023, Level = LogLevel.Information, Message = "{Identity} released the lease")]
    private static partial void LogReleased(ILogger logger, string identity);

    [LoggerMessage(EventId = 1024, Level = LogLevel.Warning, Message = "Releasing the lease failed; the next leader waits for it to expire")]
    private static partial void LogReleaseFailed(ILogger logger, Exception exception);
}
