using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Grpc.Core;
using Microsoft.Win32.SafeHandles;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Ssi.Agent.Contracts.Processes;
using Ssi.Agent.Contracts.V1;
using Ssi.Agent.Devices;
using Ssi.Agent.Hosting;
using Ssi.Agent.Migration.Bulk;
using Ssi.Agent.Migration.Checkpoint;
using Ssi.Agent.Migration.Landing;
using Ssi.Agent.Migration.Planning;
using Ssi.Agent.Migration.Relay;
using Ssi.Agent.Native;
using Ssi.Agent.Native.Mounts;
using Ssi.Agent.Native.Processes;
using Ssi.Agent.Processes;

namespace Ssi.Agent.Migration;

/// <summary>
/// The target side of a migration: receives the images, creates the stand-ins, restores the tree
/// in a fresh PID namespace under its own shim (left stopped), and later lets it run or kills it.
/// </summary>
internal sealed class MigrationTarget(
    ProcessTable table,
    ShimReportListener reports,
    StandInRegistry standIns,
    PeerChannels peers,
    PeerBulkLinks bulk,
    AttemptJournal journal,
    AgentIdentity identity,
    IOptions<AgentOptions> options,
    IOptions<DevicesOptions> devices,
    DeviceExportTable exports,
    IHostApplicationLifetime lifetime,
    ILogger<MigrationTarget> logger)
{
    private const long MaxImageBytes = 64L * 1024 * 1024 * 1024;

    /// <summary>How long an abort waits for a restore in progress to stop (criu is killed at once).</summary>
    private static readonly TimeSpan RestoreStopLimit = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, TargetAttempt> _attempts = new(StringComparer.Ordinal);

    /// <summary>Attempts whose restore the source ordered, until the coordinator asks for the result (which may be a failure that dropped the attempt).</summary>
    private readonly ConcurrentDictionary<string, TargetAttempt> _ordered = new(StringComparer.Ordinal);
    private readonly Lock _resuming = new();

    /// <summary>
    /// Takes the images of a migration to this node from the source's bulk link (blocking, on the
    /// link's thread): image files, each followed by its bytes, into the attempt's tmpfs directory;
    /// then starts the restore the source sent with them, if it did, and confirms what arrived.
    /// Anything wrong drops the attempt and refuses with the reason. The link then stays open for
    /// the source's report, commit and Resume (<see cref="ServeHandoff"/>).
    /// </summary>
    public void ReceiveImages(string attemptId, BulkConnection link)
    {
        TargetAttempt? attempt = null;
        SafeFileHandle? current = null;
        RestoreRequest? order = null;
        try
        {
            var directory = ImageDirectory.Create(options.Value.ImageDirectory, identity.Node, attemptId);
            attempt = new TargetAttempt(attemptId, directory);
            if (!_attempts.TryAdd(attempt.Id, attempt))
            {
                attempt = null;
                throw new MigrationException($"attempt {attemptId} is already in progress");
            }

            journal.Record(attempt.Id, AttemptState.Receiving);
            long bytes = 0, offset = 0;
            var files = 0;
            while (true)
            {
                if (!link.Next(out var kind, out var payload))
                {
                    throw new BulkProtocolException("the link ended before the last image");
                }

                if (kind == BulkFrameKind.ImagesEnd)
                {
                    BulkFrame.RequireEmpty(payload, kind);
                    break;
                }

                switch (kind)
                {
                    case BulkFrameKind.RestoreOrder:
                        order = ReadOrder(payload, attempt.Id);
                        break;
                    case BulkFrameKind.ImageFile:
                        current?.Dispose();
                        current = File.OpenHandle(Path.Combine(directory, SafeName(BulkFrame.ReadText(payload, kind))), FileMode.CreateNew, FileAccess.Write);
                        offset = 0;
                        files++;
                        break;
                    case BulkFrameKind.Data when current is null:
                        throw new MigrationException("image data came before a file name");
                    case BulkFrameKind.Data:
                        bytes += payload.Count;
                        if (bytes > MaxImageBytes)
                        {
                            throw new MigrationException($"images larger than {MaxImageBytes} bytes");
                        }

                        RandomAccess.Write(current, payload, offset);
                        offset += payload.Count;
                        break;
                    default:
                        throw new BulkProtocolException($"an image transfer does not carry {kind}");
                }
            }

            current?.Dispose();
            current = null;
            var ordered = attempt;
            if (order is not null)
            {
                _ordered[attempt.Id] = attempt;
                if (!attempt.TryStart(order, () => RestoreCoreAsync(ordered, order, finishLater: true, ordered.Aborting)))
                {
                    throw new MigrationException($"attempt {attemptId} was aborted while its images arrived");
                }
            }

            // Started before the confirmation: the coordinator's Restore, which follows it, finds it running.
            link.Send(buffer => BulkFrame.ImagesReceived(buffer, bytes, files));
        }
        catch (Exception e) when (e is MigrationException or IOException or UnauthorizedAccessException)
        {
            current?.Dispose();
            current = null;
            if (attempt is not null)
            {
                Abort(attempt.Id);
            }

            try
            {
                link.Send(buffer => BulkFrame.Text(buffer, BulkFrameKind.Refused, Truncated(e.Message)));
            }
            catch (Exception gone) when (gone is IOException or ObjectDisposedException)
            {
                // The source is gone (or the link broke): it rolls back by itself.
            }

            return;
        }
        finally
        {
            current?.Dispose();
        }

        if (attempt?.Restore is not null)
        {
            ServeHandoff(attempt, link);
        }
    }

    private static RestoreRequest ReadOrder(ArraySegment<byte> payload, string attemptId)
    {
        RestoreRequest order;
        try
        {
            order = RestoreRequest.Parser.ParseFrom(payload);
        }
        catch (Google.Protobuf.InvalidProtocolBufferException e)
        {
            throw new MigrationException($"the restore order that came with the images is not a RestoreRequest: {e.Message}");
        }

        return order.AttemptId == attemptId && order.Plan is not null
            ? order
            : throw new MigrationException($"the restore order that came with the images of {attemptId} is for '{order.AttemptId}' or has no plan");
    }

    /// <summary>
    /// After the images the source keeps their link open until it has ended the original (commit).
    /// The target tells it how the ordered restore ended (Restored, or Refused with the reason: a
    /// source asked to commit when restored commits on the first, not on the second); after the commit
    /// the source sends Resume, and the copy runs without a round trip through the coordinator. The
    /// link closing instead (rollback, or a commit that could not use it) leaves the attempt to the
    /// coordinator's Resume or Abort.
    /// </summary>
    private void ServeHandoff(TargetAttempt attempt, BulkConnection link)
    {
        try
        {
            var restore = attempt.Restore!;
            EndsWithin(restore, Timeout.InfiniteTimeSpan); // criu ends, or is killed by an abort
            if (!restore.IsCompletedSuccessfully)
            {
                var reason = restore.Exception?.InnerException?.Message ?? "the restore was stopped (the attempt was aborted)";
                link.Send(buffer => BulkFrame.Text(buffer, BulkFrameKind.Refused, Truncated(reason)));
                return;
            }

            if (FaultInjection.Enabled("migration.target.no-restored-report"))
            {
                return; // (the fault: as if the link broke right after the restore; the coordinator settles it)
            }

            link.Send(buffer => BulkFrame.Restored(buffer, restore.Result.HostPid, restore.Result.RestoreMs));
            attempt.Finish();
            if (!link.Next(out var kind, out var payload) || FaultInjection.Enabled("migration.target.no-link-resume"))
            {
                return; // (the fault: as if the link broke after the restore; the coordinator's Resume is tested)
            }

            if (kind != BulkFrameKind.Resume)
            {
                throw new BulkProtocolException($"after the images a source sends Resume, not {kind}");
            }

            BulkFrame.RequireEmpty(payload, kind);
            (TargetAttempt Attempt, long AtUnixMs)? resumed;
            try
            {
                resumed = ResumeCore(attempt.Id);
            }
            catch (KeyNotFoundException e)
            {
                link.Send(buffer => BulkFrame.Text(buffer, BulkFrameKind.Refused, Truncated(e.Message)));
                return;
            }

            link.Send(buffer => BulkFrame.Resumed(buffer, resumed?.AtUnixMs ?? 0));
            DeleteImages(resumed?.Attempt);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The source closed the link: the coordinator resumes or aborts.
        }
    }

    /// <summary>Waits until <paramref name="task"/> has ended, however it ended (its failure is someone else's to observe).</summary>
    private static bool EndsWithin(Task task, TimeSpan limit) => ((IAsyncResult)task).AsyncWaitHandle.WaitOne(limit);

    /// <summary>A reason that fits a Refused frame (at most 300 UTF-16 units: at most 900 UTF-8 bytes).</summary>
    private static string Truncated(string text) =>
        text.Length <= 300 ? text : text[..(char.IsHighSurrogate(text[299]) ? 299 : 300)];

    /// <summary>
    /// The coordinator's Restore: waits for the restore the source ordered with the images (it began
    /// when they were in), or, without an order, runs it now. Giving up (the call's cancellation)
    /// stops it and drops the attempt.
    /// </summary>
    public async Task<RestoreResponse> RestoreAsync(RestoreRequest request, CancellationToken cancellationToken)
    {
        var attempt = _ordered.TryRemove(request.AttemptId, out var found) ? found
            : _attempts.GetValueOrDefault(request.AttemptId) ?? throw new KeyNotFoundException($"no images for attempt {request.AttemptId} on node {identity.Node}");
        if (attempt.Restore is not { } ordered)
        {
            return await RestoreCoreAsync(attempt, request, finishLater: false, cancellationToken).ConfigureAwait(false);
        }

        if (!Equals(request.Landing, attempt.Order!.Landing))
        {
            Abort(attempt.Id);
            throw new MigrationException($"the restore asked for lands at {request.Landing?.ToString() ?? "this node"}, but the source ordered it at {attempt.Order.Landing?.ToString() ?? "this node"}; the attempt was dropped");
        }

        using var givingUp = cancellationToken.Register(() => attempt.Cancel()); // the restore stops and drops the attempt
        var restored = await ordered.ConfigureAwait(false);
        attempt.Finish();
        return restored;
    }

    /// <param name="finishLater">Leave tracking the copy to <see cref="TargetAttempt.Finish"/> (an ordered restore: after its report).</param>
    private async Task<RestoreResponse> RestoreCoreAsync(TargetAttempt attempt, RestoreRequest request, bool finishLater, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        journal.Record(attempt.Id, AttemptState.Restoring);
        var plan = request.Plan;
        var processEnds = new List<int>();
        var inherited = new List<(int Fd, string Key)>();
        var watch = Stopwatch.StartNew();
        try
        {
            // /dev/tty last: it is handed another descriptor of the terminal that replaces the workload's.
            var terminal = -1;
            foreach (var group in plan.Descriptors.Where(d => d.Action == DescriptorKinds.StayHome).GroupBy(d => d.Key, StringComparer.Ordinal)
                .OrderBy(g => DescriptorClassifier.IsTerminalAlias(g.Key)))
            {
                int processEnd;
                if (DescriptorClassifier.IsTerminalAlias(group.Key))
                {
                    processEnd = terminal >= 0 ? FileDescriptor.Duplicate(terminal) : throw new MigrationException("/dev/tty is held but no terminal of the workload is relayed");
                }
                else
                {
                    (var standIn, processEnd) = StandInFactory.Create(group.First(), DevicePath, logger);
                    if (standIn is not null)
                    {
                        attempt.StandIns.Add(standIn);
                    }

                    terminal = group.First().Kind == DescriptorKinds.Tty ? processEnd : terminal;
                }

                processEnds.Add(processEnd);
                inherited.Add((3 + inherited.Count, group.Key));
            }

            // The relays connect now, while criu restores: the home waits to serve them until the commit
            // (a rollback drops them), so no TLS handshake is left for the freeze's end.
            foreach (var standIn in attempt.StandIns)
            {
                standIns.Add(standIn);
                StartRelay(standIn);
            }

            var standInMs = watch.ElapsedMilliseconds;
            FaultInjection.Crash("migration.target.before-restore");
            switch (Environment.GetEnvironmentVariable("SSI_FAULT_RESTORE"))
            {
                case "fail":
                    throw new MigrationException("criu restore failed (injected by SSI_FAULT_RESTORE=fail)");
                case "hang":
                    await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false); // until the coordinator gives up
                    break;
            }

            var pidFile = Path.Combine(attempt.ImageDirectory, "restore.pid");
            var criu = new CriuRunner(options.Value.CriuPath);
            var lazy = request.PageServer.Length > 0;
            if (lazy)
            {
                // Memory comes later, page by page as the restored tree touches it, from the source's page server.
                KernelTuning.EnsurePipeMaxSize(logger);
                var separator = request.PageServer.LastIndexOf(':');
                var pages = MigrationSource.WithTls(request.PageServer[..separator], int.Parse(request.PageServer[(separator + 1)..], CultureInfo.InvariantCulture), options.Value);
                attempt.LazyDaemon = criu.Start(CriuArguments.LazyPagesDaemon(attempt.ImageDirectory, pages), attempt.ImageDirectory, "lazy-pages.log", [], statusFd: true);
                await attempt.LazyDaemon.WaitReadyAsync(cancellationToken).ConfigureAwait(false);
            }

            var landing = request.Landing is { } target ? LandingLocator.Find(target) : null;
            if (plan.OwnNetwork)
            {
                // The workload had a network namespace of its own (a pod's), left out of the dump: it
                // gets the landing pod's, or this node's when there is no landing pod.
                processEnds.Add(FileDescriptor.Open(landing?.NamespacePath("net") ?? "/proc/self/ns/net", 0 /* O_RDONLY */));
                inherited.Add((3 + inherited.Count, CriuArguments.WorkloadNetworkKey));
            }

            if (landing is not null)
            {
                JoinedUtsImages.Apply(attempt.ImageDirectory);
            }

            var criuStarted = watch.ElapsedMilliseconds;
            using (var landingMounts = LandingFilesystem(plan, landing, attempt.Id))
            {
                await criu.RunAsync(
                    CriuArguments.Restore(attempt.ImageDirectory, pidFile, inherited, landingMounts?.Root ?? options.Value.RestoreRoot, lazy, landing, plan.Descriptors.Any(d => d.TcpRepair), landingMounts?.External),
                    attempt.ImageDirectory,
                    "restore.log",
                    processEnds,
                    cancellationToken,
                    killWhenCancelled: true).ConfigureAwait(false);
            }

            var criuMs = watch.ElapsedMilliseconds - criuStarted;
            var shim = int.Parse(File.ReadAllText(pidFile).Trim(), CultureInfo.InvariantCulture);
            if (cancellationToken.IsCancellationRequested)
            {
                // Aborted while criu finished: the copy goes before anything knows of it.
                ProcessSignals.Send(shim, ProcessSignals.SIGKILL);
                _ = Task.Run(() => ChildProcess.Wait(shim));
                cancellationToken.ThrowIfCancellationRequested();
            }

            attempt.ShimPid = shim;
            if (landing is not null)
            {
                LandingCgroups.Join(landing.Pid, ProcessTree.WithDescendants(shim));
            }

            journal.Record(attempt.Id, AttemptState.Restored, shim);
            FaultInjection.Crash("migration.target.after-restore");
            var restoreMs = watch.ElapsedMilliseconds;

            // Tracking the copy can wait until after an ordered restore's report (it overlaps the
            // source's commit); it is done before the copy runs.
            attempt.DeferFinish(() =>
            {
                var cpids = plan.Processes.Where(p => p.ClusterPid != 0).ToDictionary(p => p.NamespacePid, p => new ClusterPid(p.ClusterPid));
                var workload = table.Adopt(shim, new ClusterPid(plan.RootClusterPid), cpids);
                workload.SessionNode = request.SessionNode.Length > 0 ? request.SessionNode : null;
                workload.SessionEndpoint = request.SessionEndpoint.Length > 0 ? request.SessionEndpoint : null;
                WaitForEnd(workload, shim);

                if (attempt.LazyDaemon is { } daemon)
                {
                    _ = daemon.Exited.ContinueWith(_ => ImageDirectory.Delete(attempt.ImageDirectory), TaskScheduler.Default);
                }

                // Otherwise the images go once the copy runs (or is dropped): not while the process waits.
                MigrationLog.Restored(logger, attempt.Id, plan.RootClusterPid, request.SourceNode, shim, restoreMs, standInMs, criuMs);
            });
            if (!finishLater)
            {
                attempt.Finish();
            }

            return new RestoreResponse { HostPid = shim, RestoreMs = restoreMs };
        }
        catch
        {
            KeepLogs(attempt.ImageDirectory, attempt.Id);
            Drop(attempt.Id);
            throw;
        }
        finally
        {
            processEnds.ForEach(FileDescriptor.Close);
        }
    }

    /// <summary>
    /// What the restored mount namespace is built on: this node's / (<see cref="AgentOptions.RestoreRoot"/>,
    /// null here), or, for a workload that ran in a container, the landing container's root and mounts.
    /// </summary>
    private LandingMounts? LandingFilesystem(MigrationPlan plan, LandingPlaceholder? landing, string attemptId)
    {
        if (plan.Container is not { } container)
        {
            BindMount.EnsureAlone("/", options.Value.RestoreRoot);
            return null;
        }

        if (landing is null)
        {
            throw new MigrationException($"the workload ran in a container (a root file system of its own, {container.RootType}): it needs a landing container on {identity.Node}, and none was named");
        }

        return LandingMounts.Stage(landing, container.ExternalMounts, ImageDirectory.For(options.Value.LandingMountDirectory, identity.Node, attemptId));
    }

    /// <summary>Where a device the process held is opened here: the device itself on its owner, else the owner's remote device file.</summary>
    private string DevicePath(PlannedDescriptor planned) =>
        planned.HomeNode == identity.Node
            ? exports.Find(planned.ObjectId)?.Path ?? throw new MigrationException($"device {planned.ObjectId} is no longer exported by {identity.Node}")
            : Path.Combine(devices.Value.MountPath, planned.HomeNode, planned.ObjectId);

    /// <summary>criu's logs of a failed attempt, kept in the agent's state directory (the images go).</summary>
    private void KeepLogs(string imageDirectory, string attemptId)
    {
        if (options.Value.StateDirectory is not { } state || !Directory.Exists(imageDirectory))
        {
            return;
        }

        var logs = Directory.CreateDirectory(Path.Combine(state, "migration-logs")).FullName;
        foreach (var log in Directory.GetFiles(imageDirectory, "*.log"))
        {
            File.Copy(log, Path.Combine(logs, $"{attemptId}.{Path.GetFileName(log)}"), overwrite: true);
        }
    }

    /// <summary>The tree restored stopped runs now (asked by the coordinator); since when (Unix ms; 0: it ran before).</summary>
    public long Resume(string attemptId)
    {
        var resumed = ResumeCore(attemptId);
        DeleteImages(resumed?.Attempt);
        return resumed?.AtUnixMs ?? 0;
    }

    /// <summary>The tree restored stopped runs now; its attempt and since when (Unix ms), or null when it was resumed before.</summary>
    private (TargetAttempt Attempt, long AtUnixMs)? ResumeCore(string attemptId)
    {
        TargetAttempt? attempt;
        long at;
        lock (_resuming)
        {
            if (journal.StateOf(attemptId) == AttemptState.Resumed)
            {
                return null; // asked again: by a coordinator that took over, or after the source's Resume
            }

            if (!_attempts.TryGetValue(attemptId, out attempt) || attempt.ShimPid is not { } shim)
            {
                throw new KeyNotFoundException($"no restored workload for attempt {attemptId} on node {identity.Node}");
            }

            attempt.Finish(); // done already, unless the coordinator resumes a copy whose report it took over

            _attempts.TryRemove(attemptId, out _);
            _ordered.TryRemove(attemptId, out _);
            foreach (var pid in ProcessTree.WithDescendants(shim))
            {
                ProcessSignals.Send(pid, ProcessSignals.SIGCONT);
            }

            at = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            journal.Record(attemptId, AttemptState.Resumed);
        }

        MigrationLog.Resumed(logger, attemptId);
        return (attempt, at);
    }

    /// <summary>The images of a resumed copy (a lazy restore's go when its page daemon ends).</summary>
    private static void DeleteImages(TargetAttempt? attempt)
    {
        if (attempt is { LazyDaemon: null })
        {
            ImageDirectory.Delete(attempt.ImageDirectory);
        }
    }

    /// <summary>
    /// Undoes a restore that was not resumed: a restore in progress stops (criu is killed), the copy
    /// is killed, stand-ins and images dropped.
    /// </summary>
    public void Abort(string attemptId)
    {
        _ordered.TryRemove(attemptId, out _);
        if (_attempts.GetValueOrDefault(attemptId)?.Cancel() is { } restore)
        {
            EndsWithin(restore, RestoreStopLimit);
        }

        Drop(attemptId);
    }

    private void Drop(string attemptId)
    {
        if (!_attempts.TryRemove(attemptId, out var attempt))
        {
            return;
        }

        var tracked = attempt.Dropped();
        if (attempt.ShimPid is { } shim)
        {
            table.FindByHostPid(shim)?.Workload.MovedAway = true;
            ProcessSignals.Send(shim, ProcessSignals.SIGKILL);
            if (!tracked)
            {
                _ = Task.Run(() => ChildProcess.Wait(shim)); // no waiter was started for it: reaped here
            }
        }

        attempt.LazyDaemon?.Kill();
        attempt.StandIns.ForEach(standIns.Remove);
        attempt.StandIns.ForEach(s => s.Dispose());
        ImageDirectory.Delete(attempt.ImageDirectory);
        journal.Record(attemptId, AttemptState.Aborted);
        MigrationLog.Aborted(logger, attemptId, attempt.ShimPid is null ? "nothing was restored" : "the restored copy was killed");
    }

    /// <summary>Relays a stand-in to its home over a bulk link, on a thread of its own, until the relay ends.</summary>
    private void StartRelay(StandIn standIn)
    {
        var thread = new Thread(
            () =>
            {
                try
                {
                    using var link = bulk.Open(standIn.HomeNode, standIn.HomeEndpoint, lifetime.ApplicationStopping);
                    using var stopping = lifetime.ApplicationStopping.Register(link.Dispose);
                    standIn.Run(link, identity.Node);
                }
                catch (Exception e) when (e is IOException or OperationCanceledException or NativeException or ObjectDisposedException or System.Net.Sockets.SocketException)
                {
                    MigrationLog.StandInLost(logger, standIn.Key, standIn.ObjectId, standIn.HomeNode, e.Message);
                }
                finally
                {
                    standIns.Remove(standIn);
                }
            },
            256 * 1024)
        {
            IsBackground = true,
            Name = $"stand-in-{standIn.Key}",
        };
        thread.Start();
    }

    /// <summary>
    /// The agent is the restored shim's parent (subreaper): reap it and report the end (the
    /// command's status as the shim reported it to this node's agent) where a caller waits.
    /// </summary>
    private void WaitForEnd(Workload workload, int shim)
    {
        var thread = new Thread(() =>
        {
            var ended = ChildProcess.Wait(shim);
            reports.Drain();
            if (workload.MovedAway || ended is not { } observed)
            {
                table.ForgetShim(workload);
                return;
            }

            var end = table.EndWorkload(workload, observed.Status);
            if (workload.SessionNode is null || workload.SessionNode == identity.Node)
            {
                if (workload.SessionNode == identity.Node && workload.RootClusterPid is { } root)
                {
                    // Back on the node where its caller waits.
                    table.FindWorkloadByRoot(root)?.RemoteExit?.TrySetResult(end.Status);
                }

                return;
            }

            _ = ReportExitAsync(workload, end.Status);
        }, maxStackSize: 128 * 1024)
        {
            IsBackground = true,
            Name = $"restored-{shim}",
        };
        thread.Start();
    }

    private async Task ReportExitAsync(Workload workload, ExitStatus status)
    {
        var request = new ReportExitRequest { RootClusterPid = workload.RootClusterPid?.Value ?? 0, ExitCode = status.Code, Signal = status.Signal, Node = identity.Node };
        for (var attempt = 0; attempt < 10; attempt++)
        {
            try
            {
                await peers.Migration(workload.SessionNode!, workload.SessionEndpoint!).ReportExitAsync(request, deadline: DateTime.UtcNow.AddSeconds(5)).ConfigureAwait(false);
                return;
            }
            catch (RpcException)
            {
                await Task.Delay(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
            }
        }
    }

    private static string SafeName(string name) =>
        name.Length is > 0 and <= 128 && !name.Contains('/', StringComparison.Ordinal) && name is not "." and not ".."
            ? name
            : throw new MigrationException($"'{name}' is not an image file name");
}
