using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Hosting;
using Ssi.Agent.Cleanup;
using Ssi.Agent.Contracts.V1;
using Ssi.Agent.Filesystem;
using Ssi.Agent.Hosting;
using Ssi.Agent.Node;

namespace Ssi.Agent.GrpcServices;

/// <summary>The Node gRPC service: identity, capabilities and health of this agent.</summary>
internal sealed class NodeService(
    AgentIdentity identity,
    NodeCapabilitiesProbe probe,
    IHostApplicationLifetime lifetime,
    FilesystemRole filesystem,
    Microsoft.Extensions.Options.IOptions<Filesystem.FilesystemOptions> filesystemOptions,
    NodeCleanup cleanup)
    : Contracts.V1.Node.NodeBase
{
    public override async Task<GetNodeInfoResponse> GetNodeInfo(GetNodeInfoRequest request, ServerCallContext context)
    {
        var capabilities = await probe.GetAsync().ConfigureAwait(false);
        return new GetNodeInfoResponse
        {
            Identity = identity.ToContract(),
            AgentVersion = AgentIdentity.Version,
            StartedAt = Timestamp.FromDateTimeOffset(identity.StartedAt),
            Capabilities = capabilities.ToContract(),
            Filesystem = new FilesystemStatus
            {
                Enabled = filesystemOptions.Value.Enabled,
                MountPath = filesystemOptions.Value.Enabled ? filesystemOptions.Value.MountPath : "",
                Role = filesystem.Role,
                Mounted = filesystem.Mounted,
                Passthrough = filesystem.Passthrough,
                Message = filesystem.Message,
            },
        };
    }

    public override Task<CheckHealthResponse> CheckHealth(CheckHealthRequest request, ServerCallContext context) =>
        Task.FromResult(
            lifetime.ApplicationStopping.IsCancellationRequested ? new CheckHealthResponse { Status = HealthStatus.NotServing, Message = "The agent is shutting down." }
            : cleanup.Done ? new CheckHealthResponse { Status = HealthStatus.NotServing, Message = "The agent has been cleaned up for the deletion of its cluster." }
            : new CheckHealthResponse { Status = HealthStatus.Serving });

    public override async Task<CleanupResponse> Cleanup(CleanupRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var report = await cleanup.RunAsync(context.CancellationToken).ConfigureAwait(false);
        return new CleanupResponse { Actions = { report.Actions }, Failures = { report.Failures } };
    }
}
