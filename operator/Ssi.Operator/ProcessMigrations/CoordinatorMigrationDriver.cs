using Ssi.Api.V1Alpha1;
using Ssi.Orchestration.Agents;
using Ssi.Orchestration.Migration;

namespace Ssi.Operator.ProcessMigrations;

/// <summary>Runs the shared <see cref="MigrationCoordinator"/> with a connector that reaches the cluster's agents.</summary>
internal sealed class CoordinatorMigrationDriver(IClusterAgentConnectors agents, TimeProvider time) : IProcessMigrationDriver
{
    public async Task<MigrationOutcome> RunAsync(V1Alpha1SsiCluster cluster, MigrationRequest request, ILandingAdapter landing, IMigrationObserver observer, CancellationToken cancellationToken)
    {
        var connector = agents.Connect(cluster)
            ?? throw new MigrationRejectedException($"the agents of {cluster.Metadata.Name} cannot be reached yet (no agent pods or no CA Secret)");
        using var _ = connector as IDisposable;
        return await Coordinator(connector, landing).RunAsync(request, observer, cancellationToken).ConfigureAwait(false);
    }

    public async Task<MigrationOutcome> ResumeAsync(V1Alpha1SsiCluster cluster, MigrationRequest request, InterruptedAttempt interrupted, ILandingAdapter landing, IMigrationObserver observer, CancellationToken cancellationToken)
    {
        // Not a rejection: the attempt stays where it stood and is tried again (with backoff) until the agents answer.
        var connector = agents.Connect(cluster)
            ?? throw new InvalidOperationException($"the agents of {cluster.Metadata.Name} cannot be reached yet (no agent pods or no CA Secret) to take over attempt {request.AttemptId}");
        using var _ = connector as IDisposable;
        return await Coordinator(connector, landing).ResumeAsync(request, interrupted, observer, cancellationToken).ConfigureAwait(false);
    }

    private MigrationCoordinator Coordinator(IAgentConnector connector, ILandingAdapter landing) => new(connector, AgentRestartHandlesStrandedProcesses.Instance, time, landing);

    /// <summary>On Kubernetes a stopped tree left by a dead agent is handled by the agent's restart, not by the operator.</summary>
    private sealed class AgentRestartHandlesStrandedProcesses : IStrandedProcessHandler
    {
        public static readonly AgentRestartHandlesStrandedProcesses Instance = new();

        public Task<bool> ResumeAsync(string node, int shimHostPid, CancellationToken cancellationToken) => Task.FromResult(false);

        public Task<bool> KillAsync(string node, int shimHostPid, CancellationToken cancellationToken) => Task.FromResult(false);

        public Task<bool> AbortRestoreAsync(string node, string attemptId, CancellationToken cancellationToken) => Task.FromResult(false);
    }
}
