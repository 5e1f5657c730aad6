using Grpc.Core;
using Grpc.Core.Interceptors;
using Ssi.Agent.Contracts.V1;
using Ssi.Api.V1Alpha1;
using Ssi.Orchestration.Agents;
using Ssi.Orchestration.Processes;
using MigrationClient = Ssi.Agent.Contracts.V1.Migration.MigrationClient;

namespace Ssi.Orchestration.Migration;

/// <summary>
/// Moves a workload from the node it runs on to another, through the two agents: plan, checkpoint
/// (the source streams the images to the target), restore stopped, commit (the original ends),
/// resume. Every failure before commit lets the original run again; after commit the copy on the
/// target is made to run. Never zero copies, never two. Kubernetes-free: local mode and the
/// operator's ProcessMigration reconciler both call this. <paramref name="landing"/> says where the
/// tree lands on the target (default: the node's own namespaces).
/// </summary>
public sealed class MigrationCoordinator(IAgentConnector connector, IStrandedProcessHandler stranded, TimeProvider time, ILandingAdapter? landing = null)
{
    private readonly ILandingAdapter _landing = landing ?? NodeLanding.Instance;

    private static readonly TimeSpan StepDeadline = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan QuickDeadline = TimeSpan.FromSeconds(5);

    /// <summary>auto: from this much resident memory on, post-copy (the freeze no longer grows with memory).</summary>
    public const long LazyThresholdBytes = 128L * 1024 * 1024;

    public async Task<MigrationOutcome> RunAsync(MigrationRequest request, IMigrationObserver observer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(observer);
        var mode = ResolveMode(request.Mode);
        if (!connector.Nodes.Contains(request.TargetNode, StringComparer.Ordinal))
        {
            throw new MigrationRejectedException($"there is no node '{request.TargetNode}' in the cluster (nodes: {string.Join(", ", connector.Nodes)})");
        }

        var outcome = new MigrationOutcome { TargetNode = request.TargetNode, Phase = MigrationPhases.Planning };
        await observer.OnPhaseAsync(outcome, cancellationToken).ConfigureAwait(false);
        var sourceNode = await LocateAsync(request.ClusterPid, cancellationToken).ConfigureAwait(false);
        outcome.SourceNode = sourceNode;
        if (sourceNode == request.TargetNode)
        {
            throw new MigrationRejectedException($"process {request.ClusterPid} already runs on {sourceNode}");
        }

        var epoch = NewEpoch();
        var source = Client(sourceNode, epoch);
        var target = Client(request.TargetNode, epoch);
        var plan = await source.PlanAsync(new PlanRequest { ClusterPid = request.ClusterPid }, deadline: Deadline(QuickDeadline), cancellationToken: cancellationToken).ConfigureAwait(false);
        outcome.Plan = ToStatus(plan);
        outcome.MemoryBytes = plan.MemoryBytes;
        outcome.Mode = mode == ProcessMigrationSpec.ModeAuto
            ? plan.MemoryBytes >= LazyThresholdBytes ? ProcessMigrationSpec.ModeLazy : ProcessMigrationSpec.ModeStopCopy
            : mode;
        if (plan.Blocked)
        {
            outcome.Phase = MigrationPhases.Failed;
            outcome.Message = "Blocked before anything was frozen: " + string.Join("; ", outcome.Plan.Where(p => p.Action == "blocked").Select(p => $"fd {p.Fd} of {p.ClusterPid} ({p.Target}): {p.Reason}"));
            await observer.OnPhaseAsync(outcome, cancellationToken).ConfigureAwait(false);
            return outcome;
        }

        if (request.DryRun)
        {
            outcome.Phase = MigrationPhases.Planned;
            outcome.Message = $"Dry run: {outcome.Plan.Count} descriptors of {plan.Processes.Count} processes would move from {sourceNode} to {request.TargetNode}.{InContainer(plan)}";
            await observer.OnPhaseAsync(outcome, cancellationToken).ConfigureAwait(false);
            return outcome;
        }

        LandingTarget? landingTarget;
        try
        {
            landingTarget = await _landing.PrepareAsync(plan, request.TargetNode, cancellationToken).ConfigureAwait(false);
        }
        catch (LandingException e)
        {
            await _landing.ReleaseAsync(cancellationToken).ConfigureAwait(false);
            return await EndAsync(outcome, observer, MigrationPhases.Failed, $"No landing place on {request.TargetNode}: {e.Message} Nothing was frozen; the process runs on {sourceNode} as before.", cancellationToken).ConfigureAwait(false);
        }

        if (plan.Container is { } container && landingTarget is null)
        {
            return await EndAsync(outcome, observer, MigrationPhases.Failed, $"Process {request.ClusterPid} runs in a container with a root file system of its own ({container.RootType}): it can only move into a landing container on {request.TargetNode}, and none was given. Nothing was frozen; the process runs on {sourceNode} as before.", cancellationToken).ConfigureAwait(false);
        }

        var targetInfo = await Node(request.TargetNode).GetNodeInfoAsync(new GetNodeInfoRequest(), deadline: Deadline(QuickDeadline), cancellationToken: cancellationToken).ConfigureAwait(false);
        var attempt = new AttemptRequest { AttemptId = request.AttemptId };
        var sourceShim = plan.Processes.Count > 0 ? plan.Processes[0].HostPid : 0;

        await FreezeCallWarmup.RunOnceAsync().ConfigureAwait(false);
        outcome.Phase = MigrationPhases.Checkpointing;
        await observer.OnPhaseAsync(outcome, cancellationToken).ConfigureAwait(false);
        CheckpointResponse checkpoint;
        try
        {
            checkpoint = await source.CheckpointAsync(
                new CheckpointRequest
                {
                    AttemptId = request.AttemptId,
                    ClusterPid = request.ClusterPid,
                    TargetNode = request.TargetNode,
                    TargetEndpoint = targetInfo.Identity.Endpoint,
                    Mode = outcome.Mode,
                    Landing = landingTarget,
                },
                deadline: Deadline(StepDeadline),
                cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e)
        {
            await UndoAsync(new Sides(source, target, attempt, sourceNode, sourceShim, request.TargetNode, 0)).ConfigureAwait(false);
            return await EndAsync(outcome, observer, MigrationPhases.RolledBack, $"Checkpoint on {sourceNode} failed: {Describe(e)}. The process runs on {sourceNode} as before.", CancellationToken.None).ConfigureAwait(false);
        }

        outcome.Plan = ToStatus(checkpoint.Plan);
        outcome.BytesTransferred = checkpoint.ImageBytes;
        outcome.StepMs["dump"] = checkpoint.DumpMs;
        outcome.StepMs["transfer"] = checkpoint.TransferMs;

        outcome.Phase = MigrationPhases.Restoring;
        await observer.OnPhaseAsync(outcome, cancellationToken).ConfigureAwait(false);
        if (checkpoint.RestoreOrdered)
        {
            return await CommitWhenRestoredAsync(outcome, new Sides(source, target, attempt, sourceNode, sourceShim, request.TargetNode, 0), checkpoint.FrozenAtUnixMs, observer, cancellationToken).ConfigureAwait(false);
        }

        RestoreResponse restored;
        try
        {
            restored = await target.RestoreAsync(
                new RestoreRequest
                {
                    AttemptId = request.AttemptId,
                    Plan = checkpoint.Plan,
                    SourceNode = sourceNode,
                    SessionNode = checkpoint.SessionNode,
                    SessionEndpoint = checkpoint.SessionEndpoint,
                    PageServer = checkpoint.PageServer,
                    Landing = landingTarget,
                },
                deadline: Deadline(StepDeadline),
                cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e)
        {
            await UndoAsync(new Sides(source, target, attempt, sourceNode, sourceShim, request.TargetNode, 0)).ConfigureAwait(false);
            return await EndAsync(outcome, observer, MigrationPhases.RolledBack, $"Restore on {request.TargetNode} failed: {Describe(e)}. The process runs on {sourceNode} as before.", CancellationToken.None).ConfigureAwait(false);
        }

        outcome.StepMs["restore"] = restored.RestoreMs;
        return await CommitAndResumeAsync(outcome, new Sides(source, target, attempt, sourceNode, sourceShim, request.TargetNode, restored.HostPid), checkpoint.FrozenAtUnixMs, null, observer, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Takes over an attempt that another coordinator (an operator leader that stopped) left in
    /// flight: asks both agents where they stand and goes on from there (<see cref="MigrationRecovery"/>):
    /// restart when nothing was frozen, roll back before the point of no return, finish after it.
    /// A returned outcome whose phase is not final means an agent is still inside a step: ask again later.
    /// </summary>
    public async Task<MigrationOutcome> ResumeAsync(MigrationRequest request, InterruptedAttempt interrupted, IMigrationObserver observer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(interrupted);
        ArgumentNullException.ThrowIfNull(observer);
        var attempt = new AttemptRequest { AttemptId = request.AttemptId };
        var sourceNode = interrupted.SourceNode is { Length: > 0 } known ? known : null;

        // Asking claims the attempt on both agents: from then on they refuse the previous coordinator.
        var epoch = NewEpoch();
        var sourceState = sourceNode is null ? null : await QueryAsync(sourceNode, attempt, epoch, cancellationToken).ConfigureAwait(false);
        var targetState = await QueryAsync(request.TargetNode, attempt, epoch, cancellationToken).ConfigureAwait(false);
        var decision = sourceState?.Busy == true || targetState?.Busy == true
            ? new RecoveryDecision(RecoveryStep.Wait, "a call of the previous coordinator is still running on an agent.")
            : MigrationRecovery.Decide(interrupted.Phase, sourceState?.State ?? AttemptState.Unspecified, targetState?.State ?? AttemptState.Unspecified);
        if (decision.Step == RecoveryStep.Restart)
        {
            return await RunAsync(request, observer, cancellationToken).ConfigureAwait(false);
        }

        var outcome = new MigrationOutcome { TargetNode = request.TargetNode, SourceNode = sourceNode, Phase = interrupted.Phase };
        var takenOver = $"Attempt {request.AttemptId} was taken over in phase {interrupted.Phase}: {decision.Reason}";
        var sides = new Sides(
            sourceNode is null ? null : Client(sourceNode, epoch), Client(request.TargetNode, epoch), attempt,
            sourceNode ?? "", sourceState?.HostPid ?? 0, request.TargetNode, targetState?.HostPid ?? 0);
        var frozenAt = sourceState?.FrozenAtUnixMs ?? 0;
        switch (decision.Step)
        {
            case RecoveryStep.Wait:
                outcome.Message = takenOver;
                return outcome;
            case RecoveryStep.RollBack:
                await UndoAsync(sides).ConfigureAwait(false);
                return await EndAsync(outcome, observer, MigrationPhases.RolledBack, $"{takenOver} The process runs on {sourceNode ?? "its node"} as before.", CancellationToken.None).ConfigureAwait(false);
            case RecoveryStep.Commit:
                return await CommitAndResumeAsync(outcome, sides, frozenAt, takenOver, observer, cancellationToken).ConfigureAwait(false);
            case RecoveryStep.Resume:
                return await ResumeCopyAsync(outcome, sides, frozenAt, takenOver, resumedAtUnixMs: null, observer, cancellationToken).ConfigureAwait(false);
            case RecoveryStep.Succeeded:
                return await EndAsync(outcome, observer, MigrationPhases.Succeeded, $"{takenOver} The process runs on {request.TargetNode}.", cancellationToken).ConfigureAwait(false);
            default:
                return await EndAsync(outcome, observer, MigrationPhases.Failed, $"{takenOver} Nothing was touched; check node {sourceNode ?? "(unknown)"} and {request.TargetNode}.", cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>For a workload in a container, what it gets from the landing container.</summary>
    private static string InContainer(MigrationPlan plan) =>
        plan.Container is { } container
            ? $" It runs in a container: it needs a landing container, whose root file system and mounts at {(container.ExternalMounts.Count == 0 ? "(none)" : string.Join(", ", container.ExternalMounts))} it gets."
            : "";

    /// <summary>What this agent knows of the attempt, or null when it never saw it (NotFound).</summary>
    private async Task<AttemptStatus?> QueryAsync(string node, AttemptRequest attempt, long epoch, CancellationToken cancellationToken)
    {
        try
        {
            return await Client(node, epoch).GetAttemptAsync(attempt, deadline: Deadline(QuickDeadline), cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>
    /// The target restores on its own (the source sent it the restore with the images): the source
    /// commits as soon as the target reports the copy restored, then lets it run, all over their own
    /// link, without a round trip through here in between. The point of no return is announced
    /// before the call. When the call fails, or the caller gives up, where the agents stand decides
    /// (<see cref="SettleAsync"/>).
    /// </summary>
    private async Task<MigrationOutcome> CommitWhenRestoredAsync(MigrationOutcome outcome, Sides sides, long frozenAtUnixMs, IMigrationObserver observer, CancellationToken cancellationToken)
    {
        outcome.Phase = MigrationPhases.Committing;
        await observer.OnPhaseAsync(outcome, cancellationToken).ConfigureAwait(false);
        AttemptResponse committed;
        try
        {
            committed = await sides.Source!.CommitAsync(new AttemptRequest { AttemptId = sides.Attempt.AttemptId, WhenRestored = true }, deadline: Deadline(StepDeadline), cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e)
        {
            return await SettleAsync(outcome, sides, frozenAtUnixMs, Describe(e), cancellationToken.IsCancellationRequested, observer).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return await SettleAsync(outcome, sides, frozenAtUnixMs, "interrupted", givenUp: true, observer).ConfigureAwait(false);
        }

        outcome.StepMs["restore"] = committed.RestoreMs;
        outcome.StepMs["commit"] = committed.CommitMs;
        return await ResumeCopyAsync(outcome, sides with { RestoredPid = committed.RestoredHostPid }, frozenAtUnixMs, null, committed.TargetResumed ? committed.ResumedAtUnixMs : null, observer, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>
    /// A Commit that was to wait for the restore failed, or the caller gave up: whether the source
    /// passed the point of no return decides. Committed: the copy runs (resumed from here if need
    /// be). Not committed: undone, unless the copy is restored and the caller still wants the move
    /// (then it is committed now, as a coordinator taking over would). The source unreachable with
    /// the copy restored: as after a failed Commit, the original is ended without its agent, or undone.
    /// </summary>
    private async Task<MigrationOutcome> SettleAsync(MigrationOutcome outcome, Sides sides, long frozenAtUnixMs, string failure, bool givenUp, IMigrationObserver observer)
    {
        var (source, target) = await SettledStatesAsync(sides, givenUp).ConfigureAwait(false);
        var known = sides with { RestoredPid = target?.HostPid ?? 0 };
        if (source?.State == AttemptState.Committed)
        {
            return await ResumeCopyAsync(outcome, known, frozenAtUnixMs, null, target?.State == AttemptState.Resumed ? 0 : null, observer, CancellationToken.None).ConfigureAwait(false);
        }

        if (!givenUp && target?.State == AttemptState.Restored && source?.State is AttemptState.Checkpointed or null)
        {
            // Restored, and only the report did not reach the source (or the source agent is gone):
            // committing now either succeeds or ends the original without its agent, else undoes.
            return await CommitAndResumeAsync(outcome, known, frozenAtUnixMs, null, observer, CancellationToken.None).ConfigureAwait(false);
        }

        await UndoAsync(known).ConfigureAwait(false);
        var what = givenUp ? "The migration was interrupted before the point of no return" : $"Restore on {sides.TargetNode} failed: {failure}";
        return await EndAsync(outcome, observer, MigrationPhases.RolledBack, $"{what}. The process runs on {sides.SourceNode} as before.", CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>What both agents say of the attempt (null: unreachable or unknown there), once neither is inside a step any more (or the step deadline passed).</summary>
    private async Task<(AttemptStatus? Source, AttemptStatus? Target)> SettledStatesAsync(Sides sides, bool givenUp)
    {
        var until = time.GetUtcNow() + StepDeadline;
        while (true)
        {
            var source = await TryQueryAsync(sides.Source!, sides.Attempt).ConfigureAwait(false);
            var target = await TryQueryAsync(sides.Target, sides.Attempt).ConfigureAwait(false);
            var moving = source?.Busy == true || (!givenUp && target?.State == AttemptState.Restoring);
            if (!moving || time.GetUtcNow() > until)
            {
                return (source, target);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), time).ConfigureAwait(false);
        }
    }

    private async Task<AttemptStatus?> TryQueryAsync(MigrationClient agent, AttemptRequest attempt)
    {
        try
        {
            return await agent.GetAttemptAsync(attempt, deadline: Deadline(QuickDeadline)).ConfigureAwait(false);
        }
        catch (RpcException)
        {
            return null;
        }
    }

    /// <summary>From the point of no return on: the original ends, then the restored copy runs.</summary>
    private async Task<MigrationOutcome> CommitAndResumeAsync(MigrationOutcome outcome, Sides sides, long frozenAtUnixMs, string? takenOver, IMigrationObserver observer, CancellationToken cancellationToken)
    {
        // The point of no return. Status is written first, so whoever picks this up after a crash goes forward.
        outcome.Phase = MigrationPhases.Committing;
        await observer.OnPhaseAsync(outcome, cancellationToken).ConfigureAwait(false);

        // From here on the move completes even when the caller gives up: stopping half-way would leave
        // the process stopped on both nodes. Every call has its own deadline.
        cancellationToken = CancellationToken.None;
        var commit = System.Diagnostics.Stopwatch.StartNew();
        long? resumedAt = null;
        try
        {
            // The source tells the target to resume over their own link once the original ended: no round trip through here.
            var committed = await sides.Source!.CommitAsync(sides.Attempt, deadline: Deadline(QuickDeadline), cancellationToken: cancellationToken).ConfigureAwait(false);
            resumedAt = committed.TargetResumed ? committed.ResumedAtUnixMs : null;
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Internal or StatusCode.Cancelled)
        {
            // The source agent is gone: its original is still stopped. End it without the agent, else undo.
            if (!await stranded.KillAsync(sides.SourceNode, sides.SourceShim, cancellationToken).ConfigureAwait(false))
            {
                await UndoAsync(sides).ConfigureAwait(false);
                return await EndAsync(outcome, observer, MigrationPhases.RolledBack, $"Commit on {sides.SourceNode} failed: {Describe(e)}. The restored copy was removed.", CancellationToken.None).ConfigureAwait(false);
            }
        }

        outcome.StepMs["commit"] = commit.ElapsedMilliseconds;
        return await ResumeCopyAsync(outcome, sides, frozenAtUnixMs, takenOver, resumedAt, observer, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// After commit: the restored copy on the target runs. <paramref name="resumedAtUnixMs"/>: when the
    /// source saw to it (the target's clock; 0: it did, time unknown), null when it is resumed from here.
    /// The freeze ends when the copy was let run, as the target tells (else when this learns it).
    /// </summary>
    private async Task<MigrationOutcome> ResumeCopyAsync(MigrationOutcome outcome, Sides sides, long frozenAtUnixMs, string? takenOver, long? resumedAtUnixMs, IMigrationObserver observer, CancellationToken cancellationToken)
    {
        if (resumedAtUnixMs is null)
        {
            outcome.Phase = MigrationPhases.Resuming;
            await observer.OnPhaseAsync(outcome, cancellationToken).ConfigureAwait(false);
            cancellationToken = CancellationToken.None; // past the point of no return: the copy must run
            var resume = System.Diagnostics.Stopwatch.StartNew();
            try
            {
                resumedAtUnixMs = (await sides.Target.ResumeAsync(sides.Attempt, deadline: Deadline(QuickDeadline), cancellationToken: cancellationToken).ConfigureAwait(false)).ResumedAtUnixMs;
            }
            catch (RpcException e)
            {
                if (!await stranded.ResumeAsync(sides.TargetNode, sides.RestoredPid, cancellationToken).ConfigureAwait(false))
                {
                    return await EndAsync(outcome, observer, MigrationPhases.Failed, $"Resume on {sides.TargetNode} failed: {Describe(e)}. The process is stopped there (host pid {sides.RestoredPid}); it resumes when the agent comes back.", cancellationToken).ConfigureAwait(false);
                }
            }

            outcome.StepMs["resume"] = resume.ElapsedMilliseconds;
        }

        var runningAt = resumedAtUnixMs is > 0 ? resumedAtUnixMs.Value : time.GetUtcNow().ToUnixTimeMilliseconds();
        outcome.FreezeMs = frozenAtUnixMs > 0 ? Math.Max(0, runningAt - frozenAtUnixMs) : null;
        var kept = outcome.Plan.Count(p => p.Action == "stay-home");
        var moved = $"Moved from {sides.SourceNode} to {sides.TargetNode}: frozen {outcome.FreezeMs?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"} ms, {outcome.BytesTransferred ?? 0} bytes, {kept} descriptors relayed to their home.";
        return await EndAsync(outcome, observer, MigrationPhases.Succeeded, takenOver is null ? moved : $"{takenOver} Moved from {sides.SourceNode} to {sides.TargetNode}.", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Before commit: the target drops its copy and its landing place, the source lets the original run
    /// again (without its agent if need be). It runs to its end even when the caller gave up (^C, a lost
    /// leadership): an undo cut short would leave the original stopped. Every call in it has its own deadline.
    /// </summary>
    private async Task UndoAsync(Sides sides)
    {
        var cancellationToken = CancellationToken.None;
        try
        {
            await sides.Target.AbortAsync(sides.Attempt, deadline: Deadline(QuickDeadline), cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException)
        {
            _ = sides.RestoredPid > 0
                ? await stranded.KillAsync(sides.TargetNode, sides.RestoredPid, cancellationToken).ConfigureAwait(false)
                : await stranded.AbortRestoreAsync(sides.TargetNode, sides.Attempt.AttemptId, cancellationToken).ConfigureAwait(false);
        }

        await _landing.ReleaseAsync(cancellationToken).ConfigureAwait(false);
        if (sides.Source is null)
        {
            return;
        }

        try
        {
            await sides.Source.RollbackAsync(sides.Attempt, deadline: Deadline(QuickDeadline), cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException)
        {
            await stranded.ResumeAsync(sides.SourceNode, sides.SourceShim, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<MigrationOutcome> EndAsync(MigrationOutcome outcome, IMigrationObserver observer, string phase, string message, CancellationToken cancellationToken)
    {
        outcome.Phase = phase;
        outcome.Message = message;
        await observer.OnPhaseAsync(outcome, cancellationToken).ConfigureAwait(false);
        return outcome;
    }

    private async Task<string> LocateAsync(long clusterPid, CancellationToken cancellationToken)
    {
        var list = await new ClusterProcesses(connector, QuickDeadline).ListAsync(cancellationToken).ConfigureAwait(false);
        var found = list.Processes.FirstOrDefault(p => p.ClusterPid == clusterPid);
        if (found is not null)
        {
            return found.Node;
        }

        var unreachable = list.Unreachable.Count > 0 ? $" (unreachable: {string.Join(", ", list.Unreachable.Select(u => u.Node))})" : "";
        throw new MigrationRejectedException($"no process with cluster PID {clusterPid} in the cluster{unreachable}");
    }

    private static string ResolveMode(string? mode) => (mode ?? "") switch
    {
        "" or ProcessMigrationSpec.ModeAuto => ProcessMigrationSpec.ModeAuto,
        ProcessMigrationSpec.ModeStopCopy => ProcessMigrationSpec.ModeStopCopy,
        ProcessMigrationSpec.ModeLazy => ProcessMigrationSpec.ModeLazy,
        _ => throw new MigrationRejectedException($"mode '{mode}' is not one of stop-copy, lazy, auto"),
    };

    public static IReadOnlyList<MigrationDescriptorPlan> ToStatus(MigrationPlan plan) =>
        plan.Descriptors.Select(d => new MigrationDescriptorPlan
        {
            ClusterPid = d.ClusterPid,
            Fd = d.Fd,
            Kind = d.Kind,
            Action = d.Action,
            Target = d.Target,
            Reason = d.Reason,
        }).ToList();

    private static string Describe(RpcException e) => e.StatusCode switch
    {
        StatusCode.Unavailable => "the agent is unreachable",
        StatusCode.DeadlineExceeded => "the agent did not answer in time",
        _ => e.Status.Detail,
    };

    /// <summary>
    /// A client whose every call carries this coordinator's epoch (<see cref="EpochHeader"/>): an
    /// agent refuses calls of an attempt from a coordinator older than the newest that has called it
    /// about that attempt, so a leader that lost its lease cannot act after its successor took over.
    /// </summary>
    private static MigrationClient Client(IAgentConnector connector, string node, long epoch) =>
        new(connector.ChannelFor(node).Intercept(headers =>
        {
            headers.Add(EpochHeader, epoch.ToString(System.Globalization.CultureInfo.InvariantCulture));
            return headers;
        }));

    private MigrationClient Client(string node, long epoch) => Client(connector, node, epoch);

    /// <summary>The gRPC header that carries a coordinator's epoch: when it began, in Unix milliseconds.</summary>
    public const string EpochHeader = "ssi-coordinator-epoch";

    /// <summary>
    /// Epochs are start times: a coordinator that takes over starts after its predecessor's lease
    /// ran out, so later than the predecessor began (leader election already relies on clocks that
    /// agree within the lease).
    /// </summary>
    private long NewEpoch() => time.GetUtcNow().ToUnixTimeMilliseconds();

    private Agent.Contracts.V1.Node.NodeClient Node(string node) => new(connector.ChannelFor(node));

    private DateTime Deadline(TimeSpan span) => time.GetUtcNow().UtcDateTime + span;

    /// <summary>The two agents of one attempt and the host PIDs of the original and its restored copy (0: unknown).</summary>
    private sealed record Sides(MigrationClient? Source, MigrationClient Target, AttemptRequest Attempt, string SourceNode, int SourceShim, string TargetNode, int RestoredPid);
}
