using System.Collections.Concurrent;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Ssi.Agent.Contracts.V1;
using Ssi.Api.V1Alpha1;
using Ssi.Operator.ProcessMigrations;
using Ssi.Orchestration.Agents;

namespace Ssi.Operator.Tests.Integration;

/// <summary>
/// Three agents (node1..node3) in one in-process gRPC server that the real <c>MigrationCoordinator</c>
/// drives: Node, Process (list) and Migration with the agents' attempt states and their idempotent
/// Commit/Resume/Rollback/Abort. They model one workload (<see cref="Workload"/>, first on node1) as
/// copies, per node, running or stopped. A step named in <see cref="HangAt"/> hangs (after doing its
/// effect, for the <c>*-done</c> variants) until its caller goes away; calls from a caller marked
/// <see cref="Crashed"/> fail as Unavailable, as for an operator leader that died.
/// </summary>
internal sealed class FakeMigrationAgents : IAsyncDisposable
{
    public const long Workload = 65537;
    private const string NodeHeader = "ssi-fake-node";
    private const string CallerHeader = "ssi-fake-caller";
    private static readonly string[] NodeNames = ["node1", "node2", "node3"];
    private WebApplication _app = null!;

    /// <summary>Node → whether the workload's copy there runs (false: stopped). Exactly one running entry is the goal.</summary>
    public ConcurrentDictionary<string, bool> Copies { get; } = new(StringComparer.Ordinal) { ["node1"] = true };

    /// <summary>(node, attempt) → where that agent stands.</summary>
    public ConcurrentDictionary<(string Node, string Attempt), AttemptState> Attempts { get; } = new();

    /// <summary>Attempt → when the source froze the workload (Unix ms).</summary>
    private ConcurrentDictionary<string, long> FrozenAt { get; } = new(StringComparer.Ordinal);

    /// <summary>restore (before restoring), restoring (criu running), restore-done (copy restored, stopped), commit-done, resume (before resuming).</summary>
    public string? HangAt { get; set; }

    /// <summary>Completes when a call reached <see cref="HangAt"/>.</summary>
    public TaskCompletionSource Hung { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ConcurrentDictionary<string, bool> Crashed { get; } = new(StringComparer.Ordinal);

    /// <summary>The pod the workload runs in, as the source agent's Plan reports it (null: not in a pod).</summary>
    public PodContainer? WorkloadPod { get; set; }

    /// <summary>The landing target of every Restore (null: the node's namespaces).</summary>
    public ConcurrentQueue<LandingTarget?> Landings { get; } = new();

    /// <summary>Every Restore fails, as a criu restore that fails.</summary>
    public bool FailRestore { get; set; }

    /// <summary>Commit also resumes the target's restored copy (as the real source does over its link to the target) and says so.</summary>
    public bool SourceResumesTarget { get; set; }

    /// <summary>
    /// The source sends the target the restore with the images, as the real agents do: the target
    /// restores during Checkpoint (failing with <see cref="FailRestore"/>), Checkpoint says so, and
    /// Commit with when_restored commits only a restored copy.
    /// </summary>
    public bool OrdersRestore { get; set; }

    /// <summary>How many Resume calls reached the agents.</summary>
    public int ResumeCalls => _resumeCalls;

    /// <summary>How many Restore calls reached the agents.</summary>
    public int RestoreCalls => _restoreCalls;

    private int _resumeCalls;
    private int _restoreCalls;

    public static async Task<FakeMigrationAgents> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        var agents = new FakeMigrationAgents();
        builder.Services.AddSingleton(agents);
        var app = agents._app = builder.Build();
        app.MapGrpcService<NodeService>();
        app.MapGrpcService<ProcessService>();
        app.MapGrpcService<MigrationService>();
        await app.StartAsync();
        return agents;
    }

    public Uri Url => new(_app.Urls.First());

    /// <summary>What one operator replica (<paramref name="caller"/>) reaches the agents through.</summary>
    public IClusterAgentConnectors ConnectorsFor(string caller) => new Connectors(this, caller);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private string Enter(ServerCallContext context)
    {
        var caller = context.RequestHeaders.GetValue(CallerHeader) ?? "";
        if (Crashed.ContainsKey(caller))
        {
            throw new RpcException(new Status(StatusCode.Unavailable, $"{caller} is gone"));
        }

        return context.RequestHeaders.GetValue(NodeHeader) ?? throw new RpcException(new Status(StatusCode.InvalidArgument, "no node header"));
    }

    private async Task MaybeHangAsync(string step, ServerCallContext context)
    {
        if (HangAt == step)
        {
            Hung.TrySetResult();
            await Task.Delay(Timeout.Infinite, context.CancellationToken);
        }
    }

    private AttemptState State(string node, string attempt) => Attempts.GetValueOrDefault((node, attempt));

    private sealed class Connectors(FakeMigrationAgents agents, string caller) : IClusterAgentConnectors
    {
        public IAgentConnector? Connect(V1Alpha1SsiCluster cluster) => new Connector(agents.Url, caller);
    }

    private sealed class Connector(Uri url, string caller) : IAgentConnector, IDisposable
    {
        private readonly ConcurrentDictionary<string, GrpcChannel> _channels = new(StringComparer.Ordinal);

        public IReadOnlyList<string> Nodes => NodeNames;

        public GrpcChannel ChannelFor(string node) => _channels.GetOrAdd(node, n => GrpcChannel.ForAddress(url, new GrpcChannelOptions
        {
            HttpHandler = new Headers(n, caller) { InnerHandler = new SocketsHttpHandler() },
        }));

        public void Dispose()
        {
            foreach (var channel in _channels.Values)
            {
                channel.Dispose();
            }
        }
    }

    private sealed class Headers(string node, string caller) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.Add(NodeHeader, node);
            request.Headers.Add(CallerHeader, caller);
            return base.SendAsync(request, cancellationToken);
        }
    }

    private sealed class NodeService(FakeMigrationAgents agents) : Agent.Contracts.V1.Node.NodeBase
    {
        public override Task<GetNodeInfoResponse> GetNodeInfo(GetNodeInfoRequest request, ServerCallContext context)
        {
            var node = agents.Enter(context);
            return Task.FromResult(new GetNodeInfoResponse { Identity = new NodeIdentity { Cluster = "demo", Node = node, Endpoint = $"{node}:7443" } });
        }
    }

    private sealed class ProcessService(FakeMigrationAgents agents) : Agent.Contracts.V1.Process.ProcessBase
    {
        public override Task<ListProcessesResponse> ListProcesses(ListProcessesRequest request, ServerCallContext context)
        {
            var node = agents.Enter(context);
            var response = new ListProcessesResponse { Node = node };
            if (agents.Copies.TryGetValue(node, out var running))
            {
                response.Processes.Add(new ProcessInfo { ClusterPid = Workload, Node = node, HostPid = 100, Command = "worker", State = running ? "S" : "T" });
            }

            return Task.FromResult(response);
        }
    }

    private sealed class MigrationService(FakeMigrationAgents agents) : Agent.Contracts.V1.Migration.MigrationBase
    {
        private MigrationPlan Plan(string node) => new()
        {
            Pod = agents.WorkloadPod,
            Node = node,
            RootClusterPid = Workload,
            Processes = { new PlannedProcess { ClusterPid = Workload, NamespacePid = 1, Command = "worker", HostPid = 100 } },
            Descriptors = { new PlannedDescriptor { ClusterPid = Workload, Fd = 3, Kind = "file", Action = "reopen", Target = "/ssi/data.txt" } },
            MemoryBytes = 4096,
        };

        public override Task<MigrationPlan> Plan(PlanRequest request, ServerCallContext context) =>
            Task.FromResult(Plan(agents.Enter(context)));

        public override Task<CheckpointResponse> Checkpoint(CheckpointRequest request, ServerCallContext context)
        {
            var node = agents.Enter(context);
            agents.Copies[node] = false;
            agents.Attempts[(node, request.AttemptId)] = AttemptState.Checkpointed;
            agents.Attempts[(request.TargetNode, request.AttemptId)] = AttemptState.Receiving; // the images went to the target
            var frozenAt = agents.FrozenAt[request.AttemptId] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            if (agents.OrdersRestore)
            {
                agents.Landings.Enqueue(request.Landing);
                if (agents.FailRestore)
                {
                    agents.Attempts[(request.TargetNode, request.AttemptId)] = AttemptState.Aborted;
                }
                else
                {
                    agents.Copies[request.TargetNode] = false;
                    agents.Attempts[(request.TargetNode, request.AttemptId)] = AttemptState.Restored;
                }
            }

            return Task.FromResult(new CheckpointResponse { Plan = Plan(node), ImageBytes = 1 << 20, FrozenAtUnixMs = frozenAt, RestoreOrdered = agents.OrdersRestore });
        }

        public override async Task<RestoreResponse> Restore(RestoreRequest request, ServerCallContext context)
        {
            var node = agents.Enter(context);
            Interlocked.Increment(ref agents._restoreCalls);
            if (agents.State(node, request.AttemptId) != AttemptState.Receiving)
            {
                throw new RpcException(new Status(StatusCode.NotFound, $"no images for attempt {request.AttemptId} on node {node}"));
            }

            await agents.MaybeHangAsync("restore", context);
            if (agents.HangAt == "restoring")
            {
                agents.Attempts[(node, request.AttemptId)] = AttemptState.Restoring;
                await agents.MaybeHangAsync("restoring", context);
            }

            agents.Landings.Enqueue(request.Landing);
            if (agents.FailRestore)
            {
                throw new RpcException(new Status(StatusCode.FailedPrecondition, "criu restore failed (fake)"));
            }

            agents.Copies[node] = false;
            agents.Attempts[(node, request.AttemptId)] = AttemptState.Restored;
            await agents.MaybeHangAsync("restore-done", context);
            return new RestoreResponse { HostPid = 200 };
        }

        public override async Task<AttemptResponse> Commit(AttemptRequest request, ServerCallContext context)
        {
            var node = agents.Enter(context);
            var state = agents.State(node, request.AttemptId);
            if (state != AttemptState.Committed)
            {
                if (state != AttemptState.Checkpointed)
                {
                    throw new RpcException(new Status(StatusCode.NotFound, $"no migration attempt {request.AttemptId} on node {node}"));
                }

                if (request.WhenRestored && !agents.Attempts.Any(a => a.Key.Attempt == request.AttemptId && a.Value == AttemptState.Restored))
                {
                    throw new RpcException(new Status(StatusCode.FailedPrecondition, "the restore on the target failed: criu restore failed (fake)"));
                }

                agents.Copies.TryRemove(node, out _);
                agents.Attempts[(node, request.AttemptId)] = AttemptState.Committed;
                if (agents.SourceResumesTarget && agents.Attempts.Keys.FirstOrDefault(k => k.Attempt == request.AttemptId && agents.Attempts[k] == AttemptState.Restored) is { Node: { } target })
                {
                    agents.Copies[target] = true;
                    agents.Attempts[(target, request.AttemptId)] = AttemptState.Resumed;
                    await agents.MaybeHangAsync("commit-done", context);
                    // The target's clock says the copy ran 42 ms after the freeze.
                    return new AttemptResponse { Message = "committed; the target's copy runs", TargetResumed = true, ResumedAtUnixMs = agents.FrozenAt[request.AttemptId] + 42 };
                }
            }

            await agents.MaybeHangAsync("commit-done", context);
            return new AttemptResponse { Message = "committed" };
        }

        public override async Task<AttemptResponse> Resume(AttemptRequest request, ServerCallContext context)
        {
            var node = agents.Enter(context);
            Interlocked.Increment(ref agents._resumeCalls);
            await agents.MaybeHangAsync("resume", context);
            var state = agents.State(node, request.AttemptId);
            if (state is not (AttemptState.Restored or AttemptState.Resumed))
            {
                throw new RpcException(new Status(StatusCode.NotFound, $"no restored workload for attempt {request.AttemptId} on node {node}"));
            }

            agents.Copies[node] = true;
            agents.Attempts[(node, request.AttemptId)] = AttemptState.Resumed;
            return new AttemptResponse { Message = "resumed" };
        }

        public override Task<AttemptResponse> Rollback(AttemptRequest request, ServerCallContext context)
        {
            var node = agents.Enter(context);
            if (agents.State(node, request.AttemptId) is AttemptState.Checkpointing or AttemptState.Checkpointed)
            {
                agents.Copies[node] = true;
                agents.Attempts[(node, request.AttemptId)] = AttemptState.RolledBack;
            }

            return Task.FromResult(new AttemptResponse { Message = "rolled back" });
        }

        public override Task<AttemptResponse> Abort(AttemptRequest request, ServerCallContext context)
        {
            var node = agents.Enter(context);
            if (agents.State(node, request.AttemptId) is AttemptState.Receiving or AttemptState.Restored)
            {
                agents.Copies.TryRemove(node, out _);
                agents.Attempts[(node, request.AttemptId)] = AttemptState.Aborted;
            }

            return Task.FromResult(new AttemptResponse { Message = "aborted" });
        }

        public override Task<AttemptStatus> GetAttempt(AttemptRequest request, ServerCallContext context)
        {
            var node = agents.Enter(context);
            var state = agents.State(node, request.AttemptId);
            return state == AttemptState.Unspecified
                ? throw new RpcException(new Status(StatusCode.NotFound, $"no migration attempt {request.AttemptId} on node {node}"))
                : Task.FromResult(new AttemptStatus
                {
                    AttemptId = request.AttemptId,
                    State = state,
                    HostPid = node == "node1" ? 100 : 200,
                    FrozenAtUnixMs = state is AttemptState.Checkpointed or AttemptState.Committed or AttemptState.RolledBack ? agents.FrozenAt.GetValueOrDefault(request.AttemptId) : 0,
                });
        }
    }
}
