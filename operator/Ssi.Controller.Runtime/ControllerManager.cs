using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Ssi.Controller.Runtime.Informers;
using Ssi.Controller.Runtime.Leadership;
using Ssi.Controller.Runtime.Reconciling;

namespace Ssi.Controller.Runtime;

/// <summary>
/// Runs the informers and controllers while this instance leads. Leadership lost stops the host (a
/// fresh process starts from a clean cache); host shutdown stops the workers after their current
/// reconcile and releases the lease.
/// </summary>
public sealed partial class ControllerManager(
    IEnumerable<IInformer> informers,
    IEnumerable<IController> controllers,
    LeaderElection election,
    IHostApplicationLifetime lifetime,
    ILogger<ControllerManager> logger) : BackgroundService
{
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when this instance leads and its caches are synced.</summary>
    public Task Started => _started.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await election.RunAsync(RunControllersAsync, stoppingToken).ConfigureAwait(false);
        if (!stoppingToken.IsCancellationRequested)
        {
            LogLeadershipLost(logger);
            lifetime.StopApplication();
        }
    }

    private async Task RunControllersAsync(CancellationToken cancellationToken)
    {
        var running = informers.Select(i => i.RunAsync(cancellationToken)).ToList();
        try
        {
            await Task.WhenAll(informers.Select(i => i.Synced)).WaitAsync(cancellationToken).ConfigureAwait(false);
            LogSynced(logger, informers.Count());
            _started.TrySetResult();
            running.AddRange(controllers.Select(c => c.RunAsync(cancellationToken)));
            await Task.WhenAll(running).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await Task.WhenAll(running).ConfigureAwait(false);
        }
    }

    [LoggerMessage(EventId = 1040, Level = LogLevel.Information, Message = "{Count} informers synced; controllers started")]
    private static partial void LogSynced(ILogger logger, int count);

    [LoggerMessage(EventId = 1041, Level = LogLevel.Error, Message = "Leadership lost: stopping")]
    private static partial void LogLeadershipLost(ILogger logger);
}
