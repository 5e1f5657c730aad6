using Prometheus;

namespace Ssi.Controller.Runtime.Metrics;

/// <summary>The controllers' Prometheus metrics, in a registry of their own (one per operator instance).</summary>
public sealed class ControllerMetrics
{
    public ControllerMetrics()
    {
        Registry = Prometheus.Metrics.NewCustomRegistry();
        var factory = Prometheus.Metrics.WithCustomRegistry(Registry);
        Reconciles = factory.CreateCounter("ssi_controller_reconcile_total", "Reconciles by controller and result (success, requeue, requeue_after, terminal, conflict, error, cancelled).", "controller", "result");
        Errors = factory.CreateCounter("ssi_controller_reconcile_errors_total", "Reconciles that threw.", "controller");
        Duration = factory.CreateHistogram("ssi_controller_reconcile_duration_seconds", "Time spent in one reconcile.", new HistogramConfiguration
        {
            LabelNames = ["controller"],
            Buckets = Histogram.ExponentialBuckets(0.001, 2, 16),
        });
        QueueDepth = factory.CreateGauge("ssi_controller_workqueue_depth", "Keys waiting in the work queue.", "controller");
        IsLeader = factory.CreateGauge("ssi_controller_leader", "1 while this instance holds the leader lease.");
    }

    public CollectorRegistry Registry { get; }

    public Counter Reconciles { get; }

    public Counter Errors { get; }

    public Histogram Duration { get; }

    public Gauge QueueDepth { get; }

    public Gauge IsLeader { get; }

    public async Task<string> ExportAsync(CancellationToken cancellationToken)
    {
        using var stream = new MemoryStream();
        await Registry.CollectAndExportAsTextAsync(stream, cancellationToken).ConfigureAwait(false);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }
}
