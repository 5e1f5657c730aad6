using Ssi.Api.V1Alpha1;
using Ssi.Operator.Agents;
using Ssi.Orchestration.Migration;

namespace Ssi.Operator.ProcessMigrations;

/// <summary>Runs the shared <see cref="MigrationCoordinator"/> with a connector that reaches the cluster's agent pods over mTLS.</summary>
internal sealed class CoordinatorMigrationDriver(KubernetesAgentFleet fleet, TimeProvider time) : IProcessMigrationDriver
{
    public async Task<MigrationOutcome> RunAsync(V1Alpha1SsiCluster cluster, MigrationRequest request, IMigrationObserver observer, CancellationToken cancellationToken)
    {
        using var connector = fleet.CreateConnector(cluster)
            ?? throw new MigrationRejectedException($"the agents of {cluster.Metadata.Name} cannot be reached yet (no agent pods or no CA Secret)");
        var coordinator = new MigrationCoordinator(connector, AgentRestartHandlesStrandedProcesses.Instance, time);
        return await coordinator.RunAsync(request, observer, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>On Kubernetes a stopped tree left by a dead agent is handled by the agent's restart, not by the operator.</summary>
    private sealed class AgentRestartHandlesStrandedProcesses : IStrandedProcessHandler
    {
        public static readonly AgentRestartHandlesStrandedProcesses Instance = new();

        public Task<bool> ResumeAsync(string node, int shimHostPid, CancellationToken cancellationToken) => Task.FromResult(false);

        public Task<bool> KillAsync(string node, int shimHostPid, CancellationToken cancellationToken) => Task.FromResult(false);

        public Task<bool> AbortRestoreAsync(string node, string attemptId, CancellationToken cancellationToken) => Task.FromResult(false);
    }
}
