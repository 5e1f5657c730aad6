using k8s;
using Microsoft.Extensions.Logging;
using Ssi.Api.V1Alpha1;
using Ssi.Controller.Runtime.Client;
using Ssi.Controller.Runtime.Events;
using Ssi.Controller.Runtime.Reconciling;
using Ssi.Operator.Hosting;
using Ssi.Operator.ProcessMigrations.Landing;
using Ssi.Operator.SsiClusters;
using Ssi.Orchestration.Migration;

namespace Ssi.Operator.ProcessMigrations;

/// <summary>
/// ProcessMigration → validation, then one attempt through the shared <see cref="MigrationCoordinator"/>
/// (behind <see cref="IProcessMigrationDriver"/>), plan only for <c>spec.dryRun</c>. Every phase is
/// written through /status before its step runs (the coordinator reports it first), so a new leader
/// that finds an attempt in flight takes it over from there (the coordinator's ResumeAsync: roll back
/// before the point of no return, finish after it). A final phase is never reconsidered.
/// </summary>
internal sealed partial class ProcessMigrationReconciler(
    OperatorCaches caches,
    IProcessMigrationDriver driver,
    EventRecorder events,
    OperatorOptions options,
    TimeProvider time,
    ILogger<ProcessMigrationReconciler> logger) : IReconciler<V1Alpha1ProcessMigration>
{
    public const string SucceededCondition = "Succeeded";

    private ResourceClient<V1Alpha1ProcessMigration> Migrations => new(caches.Client, OperatorResources.ProcessMigrations);

    public async Task<ReconcileResult> ReconcileAsync(ObjectKey key, CancellationToken cancellationToken)
    {
        var migration = caches.ProcessMigrations.Get(key);
        if (migration is null || migration.Metadata.DeletionTimestamp is not null || MigrationPhases.IsFinal(migration.Status?.Phase))
        {
            return ReconcileResult.Done;
        }

        using var scope = logger.BeginScope(new Dictionary<string, object?> { ["Kind"] = V1Alpha1ProcessMigration.KindName, ["Uid"] = migration.Metadata.Uid });
        var cluster = caches.SsiClusters.Get(new ObjectKey(key.Namespace, migration.Spec.Cluster));
        var errors = ProcessMigrationClusterChecks.Validate(migration, cluster);
        if (errors.Count > 0)
        {
            var message = "The spec is invalid: " + string.Join("; ", errors) + ".";
            await FinishAsync(migration, MigrationPhases.Failed, "InvalidSpec", message, null, cancellationToken).ConfigureAwait(false);
            return ReconcileResult.Terminal(message);
        }

        var phase = migration.Status?.Phase;
        if (phase is not (null or MigrationPhases.Pending))
        {
            // A previous leader stopped in the middle of this attempt: take it over where it stood.
            var attemptId = migration.Status?.AttemptId is { Length: > 0 } recorded ? recorded : Guid.NewGuid().ToString("N");
            LogTakingOver(logger, key.ToString(), attemptId, phase);
            var interrupted = new InterruptedAttempt(phase, migration.Status?.SourceNode);
            return await RunAttemptAsync(migration, attemptId, (request, journal) => driver.ResumeAsync(cluster!, request, interrupted, Landing(migration), journal, cancellationToken), cancellationToken).ConfigureAwait(false);
        }

        if (!ProcessMigrationClusterChecks.ClusterReady(cluster))
        {
            await WriteAsync(migration, s =>
            {
                s.Phase = MigrationPhases.Pending;
                s.Message = cluster is null
                    ? $"Waiting for SsiCluster {migration.Spec.Cluster}: there is none in namespace {key.Namespace} (yet)."
                    : $"Waiting for SsiCluster {migration.Spec.Cluster} to be Ready.";
            }, cancellationToken).ConfigureAwait(false);
            return ReconcileResult.RequeueAfter(options.UnhealthyPollInterval);
        }

        return await RunAttemptAsync(migration, Guid.NewGuid().ToString("N"), (request, journal) => driver.RunAsync(cluster!, request, Landing(migration), journal, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs or takes over one attempt with its status journal, then writes where it ended (or polls while an agent is inside a step).</summary>
    private async Task<ReconcileResult> RunAttemptAsync(V1Alpha1ProcessMigration migration, string attemptId, Func<MigrationRequest, IMigrationObserver, Task<MigrationOutcome>> run, CancellationToken cancellationToken)
    {
        var request = new MigrationRequest(migration.Spec.ClusterPid, migration.Spec.TargetNode, migration.Spec.Mode ?? ProcessMigrationSpec.ModeAuto, migration.Spec.DryRun == true, attemptId);
        var journal = new StatusJournal(this, migration, attemptId);
        MigrationOutcome outcome;
        try
        {
            outcome = await run(request, journal).ConfigureAwait(false);
        }
        catch (MigrationRejectedException e)
        {
            await FinishAsync(journal.Current, MigrationPhases.Failed, "Rejected", Sentence(e.Message), null, cancellationToken).ConfigureAwait(false);
            return ReconcileResult.Done;
        }

        if (!MigrationPhases.IsFinal(outcome.Phase))
        {
            // An agent is still inside a step (criu running): ask again shortly.
            await WriteAsync(journal.Current, s => s.Message = outcome.Message ?? s.Message, cancellationToken).ConfigureAwait(false);
            return ReconcileResult.RequeueAfter(options.UnhealthyPollInterval);
        }

        await FinishAsync(journal.Current, outcome.Phase, outcome.Phase, outcome.Message ?? outcome.Phase, outcome, cancellationToken).ConfigureAwait(false);
        return ReconcileResult.Done;
    }

    /// <summary>A process that lives in a pod lands in a landing pod on the target node.</summary>
    private LandingPods Landing(V1Alpha1ProcessMigration migration) => new(caches.Client, migration, time);

    private static string Sentence(string message) => message.Length == 0 ? message : char.ToUpperInvariant(message[0]) + message[1..].TrimEnd('.') + ".";

    private static void Apply(ProcessMigrationStatus s, MigrationOutcome outcome)
    {
        s.Phase = outcome.Phase;
        s.SourceNode = outcome.SourceNode ?? s.SourceNode;
        s.Mode = outcome.Mode ?? s.Mode;
        s.FreezeMs = outcome.FreezeMs ?? s.FreezeMs;
        s.BytesTransferred = outcome.BytesTransferred ?? s.BytesTransferred;
        s.Message = outcome.Message ?? s.Message;
        s.Plan = outcome.Plan.Count > 0 ? outcome.Plan.ToList() : s.Plan;
    }

    private async Task FinishAsync(V1Alpha1ProcessMigration migration, string phase, string reason, string message, MigrationOutcome? outcome, CancellationToken cancellationToken)
    {
        var succeeded = phase is MigrationPhases.Succeeded or MigrationPhases.Planned;
        var updated = await WriteAsync(migration, s =>
        {
            if (outcome is not null)
            {
                Apply(s, outcome);
            }

            s.Phase = phase;
            s.Message = message;
            s.CompletionTime = Now();
            s.Conditions = [Conditions.Make(s.Conditions, SucceededCondition, succeeded, reason, message, migration.Metadata.Generation, time.GetUtcNow())];
        }, cancellationToken).ConfigureAwait(false);
        LogFinished(logger, migration.Metadata.Name, phase, message);
        await events.RecordAsync(updated, succeeded ? EventRecorder.Normal : EventRecorder.Warning, phase, message, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes the status through /status (durable once the call returns); skips the write when nothing changed.</summary>
    private async Task<V1Alpha1ProcessMigration> WriteAsync(V1Alpha1ProcessMigration migration, Action<ProcessMigrationStatus> change, CancellationToken cancellationToken)
    {
        var before = KubernetesJson.Serialize(migration.Status ?? new ProcessMigrationStatus());
        var status = KubernetesJson.Deserialize<ProcessMigrationStatus>(before);
        change(status);
        status.TargetNode = migration.Spec.TargetNode;
        status.ObservedGeneration = migration.Metadata.Generation;
        status.StartTime ??= Now();
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

    [LoggerMessage(EventId = 2101, Level = LogLevel.Warning, Message = "{Migration}: taking over attempt {AttemptId}, left in phase {Phase} by a previous leader")]
    private static partial void LogTakingOver(ILogger logger, string migration, string attemptId, string phase);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Information, Message = "{Migration}: {Phase}: {Message}")]
    private static partial void LogFinished(ILogger logger, string migration, string phase, string message);

    /// <summary>The coordinator's observer: each phase is in the API server before the step it announces runs.</summary>
    private sealed class StatusJournal(ProcessMigrationReconciler owner, V1Alpha1ProcessMigration migration, string attemptId) : IMigrationObserver
    {
        public V1Alpha1ProcessMigration Current { get; private set; } = migration;

        public async Task OnPhaseAsync(MigrationOutcome outcome, CancellationToken cancellationToken)
        {
            if (MigrationPhases.IsFinal(outcome.Phase))
            {
                return; // written once, with the Succeeded condition and the completion time, when the attempt returns
            }

            Current = await owner.WriteAsync(Current, s =>
            {
                s.AttemptId = attemptId;
                Apply(s, outcome);
            }, cancellationToken).ConfigureAwait(false);
        }
    }
}
