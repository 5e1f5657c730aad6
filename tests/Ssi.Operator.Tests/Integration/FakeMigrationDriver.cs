using System.Collections.Concurrent;
using Ssi.Api.V1Alpha1;
using Ssi.Operator.ProcessMigrations;
using Ssi.Orchestration.Migration;

namespace Ssi.Operator.Tests.Integration;

/// <summary>
/// Plays the coordinator's side of a migration: reports the phases it would go through and, after each
/// report, records which phase the API server holds (the journal must be durable before the step).
/// A target listed in <see cref="DyingTargets"/> dies during restore: the attempt rolls back.
/// </summary>
internal sealed class FakeMigrationDriver(Func<string, string?> storedPhase) : IProcessMigrationDriver
{
    public ConcurrentDictionary<string, bool> DyingTargets { get; } = new(StringComparer.Ordinal);

    /// <summary>(phase reported, phase stored in the API server right after) for every report.</summary>
    public ConcurrentQueue<(string Reported, string? Stored)> Journal { get; } = new();

    /// <summary>Where each cluster PID runs: exactly one node, whatever happens.</summary>
    public ConcurrentDictionary<long, string> Copies { get; } = new();

    public async Task<MigrationOutcome> RunAsync(V1Alpha1SsiCluster cluster, MigrationRequest request, ILandingAdapter landing, IMigrationObserver observer, CancellationToken cancellationToken)
    {
        var source = Copies.GetOrAdd(request.ClusterPid, "node1");
        if (source == request.TargetNode)
        {
            throw new MigrationRejectedException($"process {request.ClusterPid} already runs on {source}");
        }

        var outcome = new MigrationOutcome { TargetNode = request.TargetNode, SourceNode = source, Mode = ProcessMigrationSpec.ModeStopCopy };
        async Task Report(string phase)
        {
            outcome.Phase = phase;
            await observer.OnPhaseAsync(outcome, cancellationToken);
            Journal.Enqueue((phase, storedPhase(request.AttemptId)));
        }

        await Report(MigrationPhases.Planning);
        outcome.Plan =
        [
            new MigrationDescriptorPlan { ClusterPid = request.ClusterPid, Fd = 0, Kind = "tty", Action = "stay-home", Target = "/dev/pts/0" },
            new MigrationDescriptorPlan { ClusterPid = request.ClusterPid, Fd = 3, Kind = "file", Action = "reopen", Target = "/ssi/data.txt" },
        ];
        if (request.DryRun)
        {
            outcome.Message = "Dry run: 2 descriptors of 1 processes would move.";
            await Report(MigrationPhases.Planned);
            return outcome;
        }

        await Report(MigrationPhases.Checkpointing);
        outcome.BytesTransferred = 4_194_304;
        await Report(MigrationPhases.Restoring);
        if (DyingTargets.ContainsKey(request.TargetNode))
        {
            outcome.Phase = MigrationPhases.RolledBack;
            outcome.Message = $"Restore on {request.TargetNode} failed: the agent is unreachable. The process runs on {source} as before.";
            await observer.OnPhaseAsync(outcome, cancellationToken);
            return outcome;
        }

        await Report(MigrationPhases.Committing);
        Copies[request.ClusterPid] = request.TargetNode;
        await Report(MigrationPhases.Resuming);
        outcome.FreezeMs = 42;
        outcome.Phase = MigrationPhases.Succeeded;
        outcome.Message = $"Moved from {source} to {request.TargetNode}.";
        await observer.OnPhaseAsync(outcome, cancellationToken);
        return outcome;
    }

    /// <summary>Taking over needs agents that remember attempts: those tests run the real coordinator against <see cref="FakeMigrationAgents"/>.</summary>
    public Task<MigrationOutcome> ResumeAsync(V1Alpha1SsiCluster cluster, MigrationRequest request, InterruptedAttempt interrupted, ILandingAdapter landing, IMigrationObserver observer, CancellationToken cancellationToken) =>
        throw new NotSupportedException("the scripted driver cannot take over an attempt; use the coordinator with FakeMigrationAgents");
}
