using Grpc.Core;
using Ssi.Agent.Contracts.Processes;
using Ssi.Agent.Contracts.V1;
using Ssi.Agent.Hosting;
using Ssi.Agent.Migration;
using Ssi.Agent.Migration.Landing;
using Ssi.Agent.Native;
using Ssi.Agent.Native.Processes;
using Ssi.Agent.Processes;

namespace Ssi.Agent.GrpcServices;

/// <summary>The Migration gRPC service: thin mapping of requests onto the source and target sides.</summary>
internal sealed class MigrationService(
    MigrationPlanner planner,
    MigrationSource source,
    MigrationTarget target,
    AttemptJournal journal,
    AttemptFence fence,
    ProcessTable table,
    AgentIdentity identity) : Contracts.V1.Migration.MigrationBase
{
    public override Task<MigrationPlan> Plan(PlanRequest request, ServerCallContext context) =>
        Task.FromResult(Map(() => WithPod(planner.Plan(new ClusterPid(request.ClusterPid)).Plan)));

    /// <summary>The pod the workload's shim runs in, if any: the operator lands the tree in a pod like it on the target.</summary>
    private static MigrationPlan WithPod(MigrationPlan plan)
    {
        if (plan.Processes.Count > 0 && PodCgroup.Of(plan.Processes[0].HostPid) is { } pod)
        {
            plan.Pod = new PodContainer { PodUid = pod.PodUid, ContainerId = pod.ContainerId };
        }

        return plan;
    }

    public override async Task<CheckpointResponse> Checkpoint(CheckpointRequest request, ServerCallContext context)
    {
        if (request.TargetNode.Length == 0 || request.TargetEndpoint.Length == 0)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "target_node and target_endpoint are required"));
        }

        if (request.TargetNode == identity.Node)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"the workload already runs on {identity.Node}"));
        }

        return await Fenced(request.AttemptId, context, () => MapAsync(() => source.CheckpointAsync(request, context.CancellationToken))).ConfigureAwait(false);
    }

    public override Task<RestoreResponse> Restore(RestoreRequest request, ServerCallContext context) =>
        Fenced(request.AttemptId, context, () => MapAsync(() => target.RestoreAsync(request, context.CancellationToken)));

    public override Task<AttemptResponse> Commit(AttemptRequest request, ServerCallContext context) =>
        Fenced(request.AttemptId, context, () => Task.FromResult(Map(() => source.Commit(request.AttemptId, request.WhenRestored, context.CancellationToken))));

    public override Task<AttemptResponse> Resume(AttemptRequest request, ServerCallContext context) =>
        Fenced(request.AttemptId, context, () => Task.FromResult(Map(() =>
        {
            var at = target.Resume(request.AttemptId);
            return new AttemptResponse { Message = "resumed", ResumedAtUnixMs = at };
        })));

    public override Task<AttemptResponse> Rollback(AttemptRequest request, ServerCallContext context) =>
        Fenced(request.AttemptId, context, () =>
        {
            source.Rollback(request.AttemptId);
            return Task.FromResult(new AttemptResponse { Message = "rolled back" });
        });

    public override Task<AttemptResponse> Abort(AttemptRequest request, ServerCallContext context) =>
        Fenced(request.AttemptId, context, () =>
        {
            target.Abort(request.AttemptId);
            return Task.FromResult(new AttemptResponse { Message = "aborted" });
        });

    /// <summary>A step of an attempt: after the one in progress, and only for its newest coordinator.</summary>
    private Task<T> Fenced<T>(string attemptId, ServerCallContext context, Func<Task<T>> step) =>
        fence.RunAsync(attemptId, AttemptFence.EpochOf(context), step, context.CancellationToken);

    public override Task<AttemptStatus> GetAttempt(AttemptRequest request, ServerCallContext context)
    {
        if (request.AttemptId.Length == 0)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "attempt_id is required"));
        }

        // Asking is claiming: from now on calls of older coordinators about this attempt are refused.
        var busy = fence.Claim(request.AttemptId, AttemptFence.EpochOf(context));
        var status = journal.Find(request.AttemptId)
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"no migration attempt {request.AttemptId} on node {identity.Node}: it never reached this agent, or the agent restarted since"));
        return Task.FromResult(new AttemptStatus(status) { Busy = busy });
    }

    public override Task<ReportExitResponse> ReportExit(ReportExitRequest request, ServerCallContext context)
    {
        var workload = table.FindWorkloadByRoot(new ClusterPid(request.RootClusterPid))
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"no caller waits for {request.RootClusterPid} on node {identity.Node}"));
        workload.RemoteExit?.TrySetResult(new ExitStatus(request.ExitCode, request.Signal));
        return Task.FromResult(new ReportExitResponse());
    }

    private static T Map<T>(Func<T> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (Status(e) is { } status)
        {
            throw new RpcException(status);
        }
    }

    private static async Task<T> MapAsync<T>(Func<Task<T>> action)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (Exception e) when (Status(e) is { } status)
        {
            throw new RpcException(status);
        }
    }

    private static Status? Status(Exception e) => e switch
    {
        KeyNotFoundException => new Status(StatusCode.NotFound, e.Message),
        MigrationException => new Status(StatusCode.FailedPrecondition, e.Message),
        NativeException => new Status(StatusCode.FailedPrecondition, e.Message),
        _ => null,
    };
}
