using System.Diagnostics;
using k8s;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Ssi.Controller.Runtime.Client;
using Ssi.Controller.Runtime.Informers;
using Ssi.Controller.Runtime.Metrics;
using Ssi.Controller.Runtime.Queue;

namespace Ssi.Controller.Runtime.Reconciling;

/// <summary>
/// Reconcile by key: the informers feed keys into a rate-limited work queue; N workers take keys and
/// call the reconciler (one DI scope per reconcile). A thrown exception requeues the key with its
/// exponential backoff; <see cref="ReconcileResult"/> says what else to do.
/// </summary>
public sealed partial class Controller<T> : IController
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly ControllerOptions _options;
    private readonly IServiceScopeFactory _scopes;
    private readonly ControllerMetrics _metrics;
    private readonly ILogger _logger;

    public Controller(ControllerOptions options, Informer<T> primary, IServiceScopeFactory scopes, ControllerMetrics metrics, ILogger logger, TimeProvider time)
    {
        _options = options;
        _scopes = scopes;
        _metrics = metrics;
        _logger = logger;
        Queue = new WorkQueue<ObjectKey>(time, options.Queue);
        primary.AddHandler(obj => Enqueue(ObjectKey.Of(obj)));
    }

    public string Name => _options.Name;

    public WorkQueue<ObjectKey> Queue { get; }

    /// <summary>Objects of another kind (owned objects) enqueue their controller owner of this kind.</summary>
    public void Owns<TOwned>(Informer<TOwned> informer, string ownerKind)
        where TOwned : class, IKubernetesObject<V1ObjectMeta>
    {
        informer.AddHandler(obj =>
        {
            var owner = obj.Metadata.OwnerReferences?.FirstOrDefault(o => o.Controller == true && o.Kind == ownerKind);
            if (owner is not null)
            {
                Enqueue(new ObjectKey(obj.Metadata.NamespaceProperty, owner.Name));
            }
        });
    }

    /// <summary>Objects of another kind enqueue the key <paramref name="map"/> gives (none when it gives null).</summary>
    public void Watches<TOther>(Informer<TOther> informer, Func<TOther, ObjectKey?> map)
        where TOther : class, IKubernetesObject<V1ObjectMeta>
    {
        informer.AddHandler(obj =>
        {
            if (map(obj) is { } key)
            {
                Enqueue(key);
            }
        });
    }

    public void Enqueue(ObjectKey key)
    {
        Queue.Add(key);
        _metrics.QueueDepth.WithLabels(Name).Set(Queue.Count);
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var registration = cancellationToken.Register(Queue.ShutDown);
        var workers = Enumerable.Range(0, _options.Workers).Select(_ => Task.Run(() => WorkAsync(cancellationToken), CancellationToken.None)).ToList();
        await Task.WhenAll(workers).ConfigureAwait(false);
    }

    private async Task WorkAsync(CancellationToken cancellationToken)
    {
        while (await Queue.GetAsync(cancellationToken).ConfigureAwait(false) is { } key && key != default)
        {
            _metrics.QueueDepth.WithLabels(Name).Set(Queue.Count);
            try
            {
                await ReconcileAsync(key, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                Queue.Done(key);
            }
        }
    }

    private async Task ReconcileAsync(ObjectKey key, CancellationToken cancellationToken)
    {
        using var scope = _scopes.CreateScope();
        using var logScope = _logger.BeginScope(new Dictionary<string, object?> { ["Controller"] = Name, ["Namespace"] = key.Namespace, ["Name"] = key.Name });
        var reconciler = scope.ServiceProvider.GetRequiredService<IReconciler<T>>();
        var started = Stopwatch.GetTimestamp();
        string outcome;
        try
        {
            var result = await reconciler.ReconcileAsync(key, cancellationToken).ConfigureAwait(false);
            if (result.TerminalReason is not null)
            {
                Queue.Forget(key);
                outcome = "terminal";
                LogTerminal(_logger, Name, key.ToString(), result.TerminalReason);
            }
            else if (result.RequeueAfterDelay is { } delay)
            {
                Queue.Forget(key);
                Queue.AddAfter(key, delay);
                outcome = "requeue_after";
            }
            else if (result.Requeue)
            {
                Queue.AddRateLimited(key);
                outcome = "requeue";
            }
            else
            {
                Queue.Forget(key);
                outcome = "success";
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            outcome = "cancelled";
        }
        catch (Exception e) when (ApiErrors.IsConflict(e))
        {
            // Someone wrote the object since the cache saw it (often this controller): the next
            // reconcile reads the newer version. Expected, so not an error.
            var delay = Queue.AddRateLimited(key);
            outcome = "conflict";
            LogConflict(_logger, Name, key.ToString(), delay);
        }
        catch (Exception e)
        {
            var delay = Queue.AddRateLimited(key);
            outcome = "error";
            _metrics.Errors.WithLabels(Name).Inc();
            LogFailed(_logger, Name, key.ToString(), delay, e);
        }

        _metrics.Reconciles.WithLabels(Name, outcome).Inc();
        _metrics.Duration.WithLabels(Name).Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    [LoggerMessage(EventId = 1010, Level = LogLevel.Warning, Message = "{Controller}: reconcile of {Key} failed; retrying in {Delay}")]
    private static partial void LogFailed(ILogger logger, string controller, string key, TimeSpan delay, Exception exception);

    [LoggerMessage(EventId = 1012, Level = LogLevel.Debug, Message = "{Controller}: {Key} changed meanwhile (409); retrying in {Delay}")]
    private static partial void LogConflict(ILogger logger, string controller, string key, TimeSpan delay);

    [LoggerMessage(EventId = 1011, Level = LogLevel.Information, Message = "{Controller}: {Key} cannot be reconciled until it changes: {Reason}")]
    private static partial void LogTerminal(ILogger logger, string controller, string key, string reason);
}
