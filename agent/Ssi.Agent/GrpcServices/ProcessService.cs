using System.Threading.Channels;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Ssi.Agent.Contracts.Processes;
using Ssi.Agent.Contracts.V1;
using Ssi.Agent.Hosting;
using Ssi.Agent.Native;
using Ssi.Agent.Native.Processes;
using Ssi.Agent.Processes;

namespace Ssi.Agent.GrpcServices;

/// <summary>The Process gRPC service: list, signal, run and watch this node's SSI processes.</summary>
internal sealed class ProcessService(
    ProcessTable table,
    WorkloadRunner runner,
    AgentIdentity identity,
    TimeProvider time,
    ILogger<ProcessService> logger) : Contracts.V1.Process.ProcessBase
{
    private const int MaxArgv = 4096;

    public override Task<ListProcessesResponse> ListProcesses(ListProcessesRequest request, ServerCallContext context)
    {
        var response = new ListProcessesResponse { Node = identity.Node };
        response.Processes.AddRange(ProcessListing.Describe(table, identity.Node, time.GetUtcNow()));
        return Task.FromResult(response);
    }

    public override Task<SignalProcessResponse> SignalProcess(SignalProcessRequest request, ServerCallContext context)
    {
        if (request.Signal is < 0 or > 64)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"{request.Signal} is not a signal number (0-64)"));
        }

        var cpid = new ClusterPid(request.ClusterPid);
        var process = table.Find(cpid)
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"no process with cluster PID {cpid} on node {identity.Node}"));
        bool delivered;
        if (request.ProcessGroup)
        {
            if (ProcStat.Read(process.HostPid) is not { } stat || stat.ProcessGroup != process.HostPid)
            {
                throw new RpcException(new Status(StatusCode.FailedPrecondition, $"process {cpid} does not lead a process group"));
            }

            delivered = ProcessControl.SignalGroup(process.HostPid, request.Signal);
        }
        else
        {
            delivered = ProcessControl.SignalIfSame(process.HostPid, process.StartTicks, pid => ProcStat.Read(pid)?.StartTicks, request.Signal);
        }

        if (!delivered)
        {
            throw new RpcException(new Status(StatusCode.NotFound, $"process {cpid} ended before the signal"));
        }

        ProcessLog.Signalled(logger, request.Signal, request.ProcessGroup ? "process group" : "process", cpid.Value);
        return Task.FromResult(new SignalProcessResponse { Signalled = 1 });
    }

    public override async Task Run(IAsyncStreamReader<RunRequest> requestStream, IServerStreamWriter<RunResponse> responseStream, ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        if (!await requestStream.MoveNext(cancellationToken).ConfigureAwait(false) || requestStream.Current.PayloadCase != RunRequest.PayloadOneofCase.Start)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "the first message of Run must be `start`"));
        }

        var start = requestStream.Current.Start;
        if (start.Argv.Count == 0 || start.Argv.Count > MaxArgv || string.IsNullOrEmpty(start.Argv[0]))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "start.argv must name a program"));
        }

        if (start.Env.Any(e => !e.Contains('=', StringComparison.Ordinal)))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "start.env entries must be NAME=value"));
        }

        RunningWorkload workload;
        try
        {
            workload = runner.Start(new WorkloadRequest(
                start.Argv, start.Env, start.WorkingDirectory, start.Tty, (ushort)(start.Window?.Rows ?? 0), (ushort)(start.Window?.Columns ?? 0), start.Term, start.Detach));
        }
        catch (Exception e) when (e is NativeException or FileNotFoundException)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, e.Message));
        }

        using (workload)
        {
            var output = Channel.CreateBounded<RunResponse>(64);
            var rootCpid = await WaitForRootAsync(workload, cancellationToken).ConfigureAwait(false);
            await responseStream.WriteAsync(new RunResponse
            {
                Started = new RunStarted
                {
                    ClusterPid = rootCpid?.Value ?? 0,
                    Node = identity.Node,
                    HostPid = workload.Workload.RootPid ?? workload.Workload.LauncherPid,
                    LogPath = workload.LogPath ?? "",
                },
            }, cancellationToken).ConfigureAwait(false);
            ProcessLog.WorkloadStarted(logger, rootCpid?.Value ?? 0, string.Join(' ', start.Argv), workload.Workload.RootPid ?? 0, start.Tty);
            if (start.Detach)
            {
                _ = workload.Exited.ContinueWith(t => ProcessLog.WorkloadEnded(logger, rootCpid?.Value ?? 0, t.Result.Code), TaskScheduler.Default);
                return;
            }

            var pumps = new List<Task> { PumpAsync(workload.Stdout, data => new RunResponse { Stdout = data }, output.Writer) };
            if (workload.Stderr is { } stderr)
            {
                pumps.Add(PumpAsync(stderr, data => new RunResponse { Stderr = data }, output.Writer));
            }

            // The input relay must be over before this method returns: Kestrel reuses the request's pipe.
            using var inputStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var inputs = Task.Run(() => RelayInputAsync(requestStream, workload, inputStop.Token), CancellationToken.None);
            _ = Task.WhenAll(pumps).ContinueWith(_ => output.Writer.TryComplete(), TaskScheduler.Default);
            await foreach (var message in output.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                await responseStream.WriteAsync(message, cancellationToken).ConfigureAwait(false);
            }

            var status = await workload.Exited.WaitAsync(cancellationToken).ConfigureAwait(false);
            await responseStream.WriteAsync(new RunResponse { Exited = new RunExited { ExitCode = status.Code, Signal = status.Signal } }, cancellationToken).ConfigureAwait(false);
            ProcessLog.WorkloadEnded(logger, rootCpid?.Value ?? 0, status.Code);
            await inputStop.CancelAsync().ConfigureAwait(false);
            await inputs.ConfigureAwait(false);
        }
    }

    public override async Task WatchProcesses(WatchProcessesRequest request, IServerStreamWriter<ProcessEvent> responseStream, ServerCallContext context)
    {
        await foreach (var change in table.Watch(context.CancellationToken).ReadAllAsync(context.CancellationToken).ConfigureAwait(false))
        {
            await responseStream.WriteAsync(new ProcessEvent
            {
                Kind = change.Kind switch
                {
                    ProcessTableEventKind.Started => ProcessEvent.Types.Kind.Started,
                    ProcessTableEventKind.Exited => ProcessEvent.Types.Kind.Exited,
                    ProcessTableEventKind.WorkloadEnded => ProcessEvent.Types.Kind.WorkloadEnded,
                    _ => ProcessEvent.Types.Kind.Execed,
                },
                ExitCode = change.End?.Status.Code ?? 0,
                Signal = change.End?.Status.Signal ?? 0,
                ReportedByShim = change.End?.ReportedByShim ?? false,
                OrphansReaped = change.End?.OrphansReaped ?? 0,
                ClusterPid = change.ClusterPid.Value,
                ParentClusterPid = change.Parent?.Value ?? 0,
                Node = identity.Node,
                HostPid = change.HostPid,
                Command = ProcStat.Read(change.HostPid)?.Command ?? "",
                At = Timestamp.FromDateTimeOffset(change.At),
            }, context.CancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The command's cluster PID, once the shim has started it (a few milliseconds): the kernel's
    /// fork event or the shim's report says so; a walk of /proc every 100 ms in case both were lost.
    /// </summary>
    private async Task<ClusterPid?> WaitForRootAsync(RunningWorkload workload, CancellationToken cancellationToken)
    {
        var known = Task.WhenAny(workload.Workload.RootKnown, workload.Exited);
        for (var i = 0; i < 20 && !known.IsCompleted; i++)
        {
            await Task.WhenAny(known, Task.Delay(100, cancellationToken)).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            if (!known.IsCompleted)
            {
                table.ResynchronizeAll();
            }
        }

        return workload.Workload.RootClusterPid;
    }

    /// <summary>
    /// Copies workload output to the response channel on a thread of its own: reads of pipes and
    /// ptys block, and must not hold thread-pool threads while a workload is quiet.
    /// </summary>
    private static Task PumpAsync(Stream source, Func<ByteString, RunResponse> wrap, ChannelWriter<RunResponse> output) =>
        Task.Factory.StartNew(
            () =>
            {
                var buffer = new byte[256 * 1024];
                while (true)
                {
                    int n;
                    try
                    {
                        n = source.Read(buffer);
                    }
                    catch (IOException)
                    {
                        return; // a pty master reads EIO once the last slave is closed
                    }

                    if (n == 0)
                    {
                        return;
                    }

                    if (!output.TryWrite(wrap(ByteString.CopyFrom(buffer, 0, n))))
                    {
                        output.WriteAsync(wrap(ByteString.CopyFrom(buffer, 0, n))).AsTask().GetAwaiter().GetResult();
                    }
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);

    private static async Task RelayInputAsync(IAsyncStreamReader<RunRequest> requests, RunningWorkload workload, CancellationToken cancellationToken)
    {
        try
        {
            while (await requests.MoveNext(cancellationToken).ConfigureAwait(false))
            {
                var request = requests.Current;
                switch (request.PayloadCase)
                {
                    case RunRequest.PayloadOneofCase.Stdin:
                        await workload.WriteStdinAsync(request.Stdin.Memory, cancellationToken).ConfigureAwait(false);
                        break;
                    case RunRequest.PayloadOneofCase.StdinEof:
                        workload.CloseStdin();
                        break;
                    case RunRequest.PayloadOneofCase.Resize:
                        workload.Resize((ushort)request.Resize.Rows, (ushort)request.Resize.Columns);
                        break;
                    case RunRequest.PayloadOneofCase.Signal:
                        workload.Signal(request.Signal);
                        break;
                }
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or RpcException)
        {
            // The workload closed its input or the caller went away; output and exit still flow.
        }
    }
}
