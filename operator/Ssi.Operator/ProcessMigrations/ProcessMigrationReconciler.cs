using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Ssi.Api.V1Alpha1;
using Ssi.Controller.Runtime.Client;
using Ssi.Controller.Runtime.Events;
using Ssi.Controller.Runtime.Reconciling;
using Ssi.Operator.Hosting;
using Ssi.Operator.SsiClusters;

namespace Ssi.Operator.ProcessMigrations;

/// <summary>
/// ProcessMigration → validation, then the shared orchestration through <see cref="IProcessMigrationDriver"/>:
/// plan only (<c>spec.dryRun</c>) or migrate, journaling the status before every irreversible step.
/// A final phase is never reconsidered; an attempt found in flight (a new leader) is resumed or rolled back.
/// </summary>
internal sealed partial class ProcessMigrationReconciler(
    OperatorCaches caches,
    IProcessMigrationDriver driver,
    EventRecorder events,
    OperatorOptions options,
    TimeProvider time,
    ILogger<ProcessMigrationReconciler> logger) : IReconciler<V1Alpha1ProcessMigration>
{
    public const string Succeeded = "Succeeded";

    private ResourceClient<V1Alpha1ProcessMigration> Migrations => new(caches.Client, OperatorResources.ProcessMigrations);

    public async Task<ReconcileResult> ReconcileAsync(ObjectKey key, CancellationToken cancellationToken)
    {
        var migration = caches.ProcessMigrations.Get(key);
        if (migration is null || migration.Metadata.DeletionTimestamp is not null || MigrationPhases.IsFinal(migration.Status?.Phase))
        {
            return ReconcileResult.Done;
        }

        var cluster = caches.SsiClusters.Get(new ObjectKey(key.Namespace, migration.Spec.Cluster));
        var errors = ProcessMigrationValidator.Validate(migration, cluster);
        if (errors.Count > 0)
        {
            var message = "The spec is invalid: " + string.Join("; ", errors) + ".";
            await FinishAsync(migration, new MigrationOutcome(MigrationPhases.Failed, message), "InvalidSpec", cancellationToken).ConfigureAwait(false);
            return ReconcileResult.Terminal(message);
        }

        if (!ProcessMigrationValidator.ClusterReady(cluster))
        {
            migration = await WriteAsync(migration, s => Progress(s, new MigrationProgress(MigrationPhases.Pending, Message: $"Waiting for SsiCluster {migration.Spec.Cluster} to be Ready.")), cancellationToken).ConfigureAwait(false);
            return ReconcileResult.RequeueAfter(options.UnhealthyPollInterval);
        }

        var status = migration.Status ?? new ProcessMigrationStatus();
        var request = new MigrationRequest(
            cluster!.Metadata.Name,
            (cluster.Spec.Nodes ?? []).Select(n => n.Name).ToList(),
            migration.Spec.ClusterPid,
            migration.Spec.TargetNode,
            migration.Spec.Mode ?? ProcessMigrationSpec.ModeAuto,
            status.AttemptId ?? Guid.NewGuid().ToString("N"));

        var current = migration;
        async Task Journal(MigrationProgress progress, CancellationToken ct) =>
            current = await WriteAsync(current, s =>
            {
                s.AttemptId = request.AttemptId;
                return Progress(s, progress);
            }, ct).ConfigureAwait(false);

        MigrationOutcome outcome;
        if (MigrationPhases.IsInFlight(status.Phase))
        {
            LogResuming(logger, key.ToString(), request.AttemptId, status.Phase!);
            outcome = await driver.ResumeOrRollBackAsync(request, new MigrationProgress(status.Phase!, status.SourceNode, status.Mode, status.BytesTransferred, status.Message), Journal, cancellationToken).ConfigureAwait(false);
        }
        else if (migration.Spec.DryRun == true)
        {
            await Journal(new MigrationProgress(MigrationPhases.Planning, Message: "Planning (dry run): nothing is frozen."), cancellationToken).ConfigureAwait(false);
            outcome = await driver.PlanAsync(request, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await Journal(new MigrationProgress(MigrationPhases.Planning, Message: "Planning."), cancellationToken).ConfigureAwait(false);
            outcome = await driver.MigrateAsync(request, Journal, cancellationToken).ConfigureAwait(false);
        }

        await FinishAsync(current, outcome, outcome.Phase, cancellationToken).ConfigureAwait(false);
        return ReconcileResult.Done;
    }

    private ProcessMigrationStatus Progress(ProcessMigrationStatus status, MigrationProgress progress)
    {
        status.Phase = progress.Phase;
        status.SourceNode = progress.SourceNode ?? status.SourceNode;
        status.Mode = progress.ResolvedMode ?? status.Mode;
        status.BytesTransferred = progress.BytesTransferred ?? status.BytesTransferred;
        status.Message = progress.Message ?? status.Message;
        status.StartTime ??= Now();
        return status;
    }

    private async Task FinishAsync(V1Alpha1ProcessMigration migration, MigrationOutcome outcome, string reason, CancellationToken cancellationToken)
    {
        var succeeded = outcome.Phase is MigrationPhases.Succeeded or MigrationPhases.Planned;
        var updated = await WriteAsync(migration, s =>
        {
            s.Phase = outcome.Phase;
            s.Message = outcome.Message;
            s.SourceNode = outcome.SourceNode ?? s.SourceNode;
            s.Mode = outcome.ResolvedMode ?? s.Mode;
            s.FreezeMs = outcome.FreezeMs ?? s.FreezeMs;
            s.BytesTransferred = outcome.BytesTransferred ?? s.BytesTransferred;
            s.Plan = outcome.Plan?.ToList() ?? s.Plan;
            s.StartTime ??= Now();
            s.CompletionTime = Now();
            s.Conditions = [Conditions.Make(s.Conditions, Succeeded, succeeded, reason, outcome.Message, migration.Metadata.Generation, time.GetUtcNow())];
            return s;
        }, cancellationToken).ConfigureAwait(false);
        LogFinished(logger, migration.Metadata.Name, outcome.Phase, outcome.Message);
        await events.RecordAsync(updated, succeeded ? EventRecorder.Normal : EventRecorder.Warning, outcome.Phase, outcome.Message, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes the status through /status (durably: the call returns once the API server stored it); skips it when nothing changed.</summary>
    private async Task<V1Alpha1ProcessMigration> WriteAsync(V1Alpha1ProcessMigration migration, Func<ProcessMigrationStatus, ProcessMigrationStatus> change, CancellationToken cancellationToken)
    {
        var before = KubernetesJson.Serialize(migration.Status ?? new ProcessMigrationStatus());
        var status = change(KubernetesJson.Deserialize<ProcessMigrationStatus>(before));
        status.TargetNode = migration.Spec.TargetNode;
        status.ObservedGeneration = migration.Metadata.Generation;
        if (KubernetesJson.Serialize(status) == before)
        {
            return migration;
        }

        return await Migrations.ReplaceStatusAsync(new V1Alpha1ProcessMigration { Metadata = migration.Metadata, Spec = migration.Spec, Status = status }, cancellationToken).ConfigureAwait(false);
    }

    private DateTime Now()
    {
        var now = time.GetUtcNow();
        return new DateTime(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
    }

    [LoggerMessage(EventId = 2101, Level = LogLevel.Warning, Message = "{Migration}: attempt {AttemptId} was in flight ({Phase}); resuming or rolling back")]
    private static partial void LogResuming(ILogger logger, string migration, string attemptId, string phase);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Information, Message = "{Migration}: {Phase}: {Message}")]
    private static partial void LogFinished(ILogger logger, string migration, string phase, string message);
}
