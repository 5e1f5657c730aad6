using System.Collections.Concurrent;
using System.Diagnostics;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Ssi.Agent.Contracts.Processes;
using Ssi.Agent.Contracts.V1;
using Ssi.Agent.Hosting;
using Ssi.Agent.Migration.Bulk;
using Ssi.Agent.Migration.Checkpoint;
using Ssi.Agent.Migration.Planning;
using Ssi.Agent.Migration.Relay;
using Ssi.Agent.Native.Processes;
using Ssi.Agent.Native.Terminals;
using Ssi.Agent.Native;

namespace Ssi.Agent.Migration;

/// <summary>
/// The source side of a migration: keeps the objects that stay on this node, checkpoints the
/// workload's tree (left stopped), streams the images to the target, and later either ends the
/// original (commit) or lets it run again (rollback).
/// </summary>
internal sealed class MigrationSource(
    MigrationPlanner planner,
    HomeObjectRegistry homes,
    PeerBulkLinks bulk,
    AttemptJournal journal,
    AgentIdentity identity,
    IOptions<AgentOptions> options,
    TimeProvider time,
    ILogger<MigrationSource> logger)
{
    private readonly ConcurrentDictionary<string, SourceAttempt> _attempts = new(StringComparer.Ordinal);

    public async Task<CheckpointResponse> CheckpointAsync(CheckpointRequest request, CancellationToken cancellationToken)
    {
        var (plan, workload, pids, fds, container) = planner.Plan(new ClusterPid(request.ClusterPid));
        if (plan.Blocked)
        {
            var blockers = plan.Descriptors.Where(d => d.Action == DescriptorKinds.Blocked).Select(d => $"fd {d.Fd} of {d.ClusterPid} ({d.Target}): {d.Reason}");
            throw new MigrationException($"the workload cannot move: {string.Join("; ", blockers)}");
        }

        var lazy = request.Mode switch
        {
            "lazy" => LazyPagesFor(identity, options.Value),
            "" or "stop-copy" => null,
            _ => throw new MigrationException($"mode '{request.Mode}' is not stop-copy or lazy"),
        };
        var directory = ImageDirectory.Create(options.Value.ImageDirectory, identity.Node, request.AttemptId);
        var attempt = new SourceAttempt(request.AttemptId, workload, pids[0], pids, directory);
        if (!_attempts.TryAdd(attempt.Id, attempt))
        {
            throw new MigrationException($"attempt {attempt.Id} is already in progress");
        }

        journal.Record(attempt.Id, AttemptState.Checkpointing, attempt.ShimPid);
        BulkConnection? images = null;
        try
        {
            // The link for the images is opened (TLS handshake included) before anything is frozen.
            images = OpenImageLink(request.TargetNode, request.TargetEndpoint, cancellationToken);
            var sender = new ImageSender(images);
            sender.Begin(attempt.Id);
            KeepStayHomeObjects(attempt, plan, fds);
            attempt.Repaired = RepairedConnections.Keep(fds.Where(f => f.TcpRepair).GroupBy(f => f.Descriptor.Inode).Select(g => (g.First().Descriptor.HostPid, g.First().Descriptor.Fd)));
            FaultInjection.Crash("migration.source.before-dump");
            var frozenAt = time.GetUtcNow();
            var dump = Stopwatch.StartNew();
            var stayHome = fds.Where(f => f.Action == DescriptorKinds.StayHome).ToList();
            var external = stayHome.Where(f => f.Kind != DescriptorKinds.TcpSocket).Select(f => f.Key).ToList();
            var connections = stayHome.Where(f => f.Kind == DescriptorKinds.TcpSocket).Select(f => f.Descriptor.Inode).ToHashSet();
            var criu = new CriuRunner(options.Value.CriuPath);
            var ownNetwork = MigrationPlanner.OwnNetworkOf(attempt.ShimPid);
            var containerMounts = container?.ExternalMountPoints;
            // Memory images go to the target while criu writes the rest (not in lazy mode: memory stays here).
            using var pages = lazy is null ? new PagesDuringDump(directory, sender) : null;
            if (lazy is null)
            {
                await criu.RunAsync(CriuArguments.Dump(attempt.ShimPid, directory, external, ownNetwork: ownNetwork, repairTcp: attempt.Repaired.Any, containerMounts: containerMounts), directory, "dump.log", [], cancellationToken).ConfigureAwait(false);
            }
            else
            {
                // Everything but memory now; the pages stay with this criu, which serves them to the target.
                KernelTuning.EnsurePipeMaxSize(logger);
                attempt.LazyDump = criu.Start(CriuArguments.Dump(attempt.ShimPid, directory, external, lazy, ownNetwork, attempt.Repaired.Any, containerMounts), directory, "dump.log", [], statusFd: true);
                await attempt.LazyDump.WaitReadyAsync(cancellationToken).ConfigureAwait(false);
            }

            var criuMs = dump.ElapsedMilliseconds;
            attempt.Repaired.NoteLockTable(directory);
            RelayedTcpImages.Apply(directory, connections);
            if (containerMounts is not null)
            {
                BoundFileImages.Apply(directory, containerMounts.ToHashSet(StringComparer.Ordinal));
            }

            if (ExpiredTimerImages.Apply(directory) is var rearmed and > 0)
            {
                MigrationLog.TimersRearmed(logger, attempt.Id, rearmed);
            }

            dump.Stop();
            FaultInjection.Crash("migration.source.after-dump");

            // The target restores as soon as the images are in, without waiting for the coordinator.
            var order = new RestoreRequest
            {
                AttemptId = attempt.Id,
                Plan = plan,
                SourceNode = identity.Node,
                SessionNode = workload.SessionNode ?? "",
                SessionEndpoint = workload.SessionEndpoint ?? "",
                PageServer = lazy is null ? "" : $"{lazy.Address}:{lazy.Port}",
                Landing = request.Landing,
            };
            var transfer = Stopwatch.StartNew();
            var bytes = SendImages(attempt, sender, pages, images, request.TargetNode, order.ToByteArray(), cancellationToken);
            transfer.Stop();
            if (lazy is null)
            {
                ImageDirectory.Delete(directory);
            }

            // The link stays open: after the commit it tells the target to let the copy run.
            attempt.Handoff = images;
            images = null;
            journal.Record(attempt.Id, AttemptState.Checkpointed, frozenAtUnixMs: frozenAt.ToUnixTimeMilliseconds());
            MigrationLog.Checkpointed(logger, attempt.Id, plan.RootClusterPid, request.TargetNode, bytes, dump.ElapsedMilliseconds, criuMs, transfer.ElapsedMilliseconds);
            return new CheckpointResponse
            {
                Plan = plan,
                ImageBytes = bytes,
                DumpMs = dump.ElapsedMilliseconds,
                TransferMs = transfer.ElapsedMilliseconds,
                FrozenAtUnixMs = frozenAt.ToUnixTimeMilliseconds(),
                SessionNode = order.SessionNode,
                SessionEndpoint = order.SessionEndpoint,
                PageServer = order.PageServer,
                RestoreOrdered = true,
            };
        }
        catch
        {
            Rollback(attempt.Id);
            throw;
        }
        finally
        {
            images?.Dispose();
        }
    }

    /// <summary>
    /// Takes a duplicate of every descriptor whose object stays here, before anything is frozen:
    /// the object outlives the original process and will serve the target's stand-in.
    /// </summary>
    private void KeepStayHomeObjects(SourceAttempt attempt, MigrationPlan plan, IReadOnlyList<PlannedFd> fds)
    {
        var n = 0;
        foreach (var group in fds.Where(f => f.Action == DescriptorKinds.StayHome).GroupBy(f => f.Key, StringComparer.Ordinal))
        {
            var first = group.First();
            if (first.Kind == DescriptorKinds.Device || DescriptorClassifier.IsTerminalAlias(group.Key))
            {
                continue; // the devices feature already serves it to every node; /dev/tty goes with its terminal
            }

            var copy = Pidfd.TakeDescriptor(first.Descriptor.HostPid, first.Descriptor.Fd);
            var entries = plan.Descriptors.Where(d => d.Key == group.Key).ToList();
            if (entries[0].ObjectId.Length > 0)
            {
                // A stand-in of this node: the object's home is elsewhere; the next node attaches there directly.
                var standIn = planner.FindStandIn(group.Key)!;
                standIn.PrepareMoveOn(copy);
                attempt.MovingStandIns.Add(standIn);
                continue;
            }

            var id = $"{identity.Node}.{attempt.Id}.{n++}";
            homes.Add(id, first.Kind, RelayDirections.Parse(first.Direction), copy, attempt.Id);
            var termios = first.Kind == DescriptorKinds.Tty ? TerminalSettings.Get(copy) : null;
            var window = first.Kind == DescriptorKinds.Tty ? Pty.GetWindowSize(copy) : null;
            foreach (var entry in entries)
            {
                entry.ObjectId = id;
                if (termios is not null)
                {
                    entry.Termios = ByteString.CopyFrom(termios);
                }

                if (window is { } w)
                {
                    entry.Window = new WindowSize { Rows = w.Rows, Columns = w.Columns };
                }
            }
        }
    }

    private BulkConnection OpenImageLink(string targetNode, string targetEndpoint, CancellationToken cancellationToken)
    {
        try
        {
            return bulk.Open(targetNode, targetEndpoint, cancellationToken);
        }
        catch (IOException e)
        {
            throw new MigrationException($"the agent of {targetNode} at {targetEndpoint} cannot be reached from this node: {e.Message}");
        }
    }

    /// <summary>
    /// Streams the image files over the bulk link (<see cref="ImageSender"/>; blocking: the freeze
    /// waits for this anyway), but for the memory images sent during the dump, and waits for the
    /// target to confirm them all.
    /// </summary>
    /// <param name="pages">The memory images sent while criu dumped, if they were: they do not go again.</param>
    /// <param name="order">The restore the target starts as soon as the images are in (a serialized RestoreRequest).</param>
    private static long SendImages(SourceAttempt attempt, ImageSender sender, PagesDuringDump? pages, BulkConnection link, string targetNode, byte[] order, CancellationToken cancellationToken)
    {
        using var cancelling = cancellationToken.Register(link.Dispose);
        try
        {
            var sent = pages?.Finish() ?? new HashSet<string>();
            foreach (var file in Directory.GetFiles(attempt.ImageDirectory).Where(f => !f.EndsWith(".log", StringComparison.Ordinal) && !sent.Contains(Path.GetFileName(f))))
            {
                sender.File(file);
            }

            sender.End(order);
            var total = sender.Bytes;
            if (!link.Next(out var kind, out var payload))
            {
                throw new MigrationException($"{targetNode} closed the image link before it confirmed the images");
            }

            switch (kind)
            {
                case BulkFrameKind.Refused:
                    throw new MigrationException($"{targetNode} refused the images: {BulkFrame.ReadText(payload, kind)}");
                case BulkFrameKind.ImagesReceived:
                    var (bytes, _) = BulkFrame.ReadImagesReceived(payload);
                    return bytes == total ? total : throw new MigrationException($"{targetNode} received {bytes} of {total} image bytes");
                default:
                    throw new BulkProtocolException($"a target does not answer images with {kind}");
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            cancellationToken.ThrowIfCancellationRequested();
            throw new MigrationException($"the images could not be sent to {targetNode}: {e.Message}");
        }
    }

    /// <summary>
    /// The point of no return: the original ends, the kept objects start serving the target; then
    /// the target is told over the image link to let the copy run. <paramref name="whenRestored"/>:
    /// first wait until the target reports the restore the source ordered, and commit only if it
    /// succeeded (else MigrationException, nothing done). The answer says whether the target
    /// confirmed that the copy runs (if not, the coordinator resumes it) and what it reported.
    /// </summary>
    public AttemptResponse Commit(string attemptId, bool whenRestored, CancellationToken cancellationToken)
    {
        if (journal.StateOf(attemptId) == AttemptState.Committed)
        {
            return new AttemptResponse { Message = "committed" }; // asked again by a coordinator that took over
        }

        var attempt = Find(attemptId);
        var restored = whenRestored ? AwaitRestore(attempt, cancellationToken) : default;
        var committing = Stopwatch.StartNew();
        var workload = attempt.Workload;
        workload.MovedAway = true;
        if (workload.SessionNode == identity.Node)
        {
            // The caller of `ssi run` waits here: the exit status will be reported from wherever it runs.
            workload.RemoteExit ??= new TaskCompletionSource<ExitStatus>(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        // If the node it moves to dies with it, the caller waiting here gets an end instead of waiting for ever.
        homes.Activate(attempt.Id, () => workload.RemoteExit?.TrySetResult(new ExitStatus(255, 0)));
        attempt.MovingStandIns.ForEach(s => s.MoveOn());
        if (attempt.LazyDump is { } dump)
        {
            // criu holds the frozen original until the target has pulled every page; then it goes.
            _ = dump.Exited.ContinueWith(_ => { EndOriginal(attempt); ImageDirectory.Delete(attempt.ImageDirectory); }, TaskScheduler.Default);
        }
        else
        {
            EndOriginal(attempt);
        }

        attempt.Repaired.Dispose();
        _attempts.TryRemove(attempt.Id, out _);
        journal.Record(attempt.Id, AttemptState.Committed);
        MigrationLog.Committed(logger, attempt.Id, workload.RootClusterPid?.Value ?? 0);
        var resumedAt = ResumeTarget(attempt);
        return new AttemptResponse
        {
            Message = resumedAt is null ? "committed" : "committed; the target's copy runs",
            TargetResumed = resumedAt is not null,
            ResumedAtUnixMs = resumedAt ?? 0,
            RestoredHostPid = restored.HostPid,
            RestoreMs = restored.RestoreMs,
            CommitMs = committing.ElapsedMilliseconds,
        };
    }

    /// <summary>
    /// Waits on the image link for the target's report of the restore this source ordered: the
    /// restored copy (host PID, ms), or MigrationException when it failed or the link ended first.
    /// </summary>
    private static (int HostPid, long RestoreMs) AwaitRestore(SourceAttempt attempt, CancellationToken cancellationToken)
    {
        var link = attempt.Handoff ?? throw new MigrationException($"attempt {attempt.Id} has no link to its target any more: ask the target to Restore, then Commit");
        using var givingUp = cancellationToken.Register(link.Dispose);
        try
        {
            if (!link.Next(out var kind, out var payload))
            {
                throw new IOException("the target closed the link");
            }

            return kind switch
            {
                BulkFrameKind.Restored => BulkFrame.ReadRestored(payload),
                BulkFrameKind.Refused => throw new MigrationException($"the restore on the target failed: {BulkFrame.ReadText(payload, kind)}"),
                _ => throw new BulkProtocolException($"a target does not report its restore with {kind}"),
            };
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or BulkProtocolException)
        {
            attempt.Handoff = null;
            link.Dispose();
            cancellationToken.ThrowIfCancellationRequested();
            throw new MigrationException($"the link to the target ended before it reported the restore: {e.Message}");
        }
    }

    /// <summary>How long a commit waits for the target to confirm that the copy runs before leaving it to the coordinator.</summary>
    private static readonly TimeSpan ResumeAnswerLimit = TimeSpan.FromSeconds(2);

    /// <summary>After the commit: the target lets the copy run (over the link the images went on); since when (Unix ms, target's clock) when it confirmed, else null.</summary>
    private long? ResumeTarget(SourceAttempt attempt)
    {
        if (attempt.Handoff is not { } link)
        {
            return null;
        }

        try
        {
            link.Send(BulkFrameKind.Resume);
            BulkFrameKind kind;
            ArraySegment<byte> payload;
            do
            {
                if (!link.Next(ResumeAnswerLimit, out kind, out payload))
                {
                    MigrationLog.ResumeNotConfirmed(logger, attempt.Id, "the target closed the link");
                    return null;
                }
            }
            while (kind == BulkFrameKind.Restored); // its report of the restore, when the commit did not wait for it

            switch (kind)
            {
                case BulkFrameKind.Resumed:
                    return BulkFrame.ReadResumed(payload);
                case BulkFrameKind.Refused:
                    MigrationLog.ResumeNotConfirmed(logger, attempt.Id, BulkFrame.ReadText(payload, kind));
                    return null;
                default:
                    throw new BulkProtocolException($"a target does not answer Resume with {kind}");
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or BulkProtocolException)
        {
            MigrationLog.ResumeNotConfirmed(logger, attempt.Id, e.Message);
            return null;
        }
        finally
        {
            link.Dispose();
        }
    }

    /// <summary>
    /// Ends the stopped original. A workload started here has a launcher (unshare) that would report
    /// the kill on the workload's stderr: it goes first, and the agent, as subreaper, reaps the shim.
    /// </summary>
    private static void EndOriginal(SourceAttempt attempt)
    {
        // Tearing the original down (its memory, its files) is the kernel's work in the dying tasks:
        // at the lowest priority it does not take the CPU from the copy that is about to run.
        foreach (var pid in attempt.Pids)
        {
            ProcessPriority.Set(pid, ProcessPriority.Lowest);
        }

        var launcher = attempt.Workload.LauncherPid;
        if (launcher == attempt.ShimPid)
        {
            // Restored here (its waiter reaps it), or a container's init (its runtime reaps it, and the container ends).
            ProcessSignals.Send(attempt.ShimPid, ProcessSignals.SIGKILL);
            return;
        }

        ProcessSignals.Send(launcher, ProcessSignals.SIGKILL);
        ProcessSignals.Send(attempt.ShimPid, ProcessSignals.SIGKILL);
        var shim = attempt.ShimPid;
        _ = Task.Run(async () =>
        {
            // The shim becomes our child once its launcher is gone.
            for (var i = 0; i < 500 && ChildProcess.TryReap(shim) is not true; i++)
            {
                await Task.Delay(10).ConfigureAwait(false);
            }
        });
    }

    /// <summary>Before commit: the original runs again with every descriptor it had; the kept copies go.</summary>
    public void Rollback(string attemptId)
    {
        if (!_attempts.TryRemove(attemptId, out var attempt))
        {
            return;
        }

        if (attempt.LazyDump is { } dump)
        {
            // criu lets go of the tree when it dies (the parasite left it at the end of the dump).
            dump.Kill();
            dump.Exited.Wait(TimeSpan.FromSeconds(5));
        }

        attempt.Repaired.Resume();

        // The tree as criu froze it: a child forked between the plan and the dump is stopped too.
        foreach (var pid in attempt.Pids.Union(ProcessTree.WithDescendants(attempt.ShimPid)))
        {
            ProcessSignals.Send(pid, ProcessSignals.SIGCONT);
        }

        attempt.Handoff?.Dispose();
        homes.Drop(attempt.Id);
        attempt.MovingStandIns.ForEach(s => s.CancelMoveOn());
        ImageDirectory.Delete(attempt.ImageDirectory);
        journal.Record(attempt.Id, AttemptState.RolledBack);
        MigrationLog.RolledBack(logger, attempt.Id);
    }

    /// <summary>The page server listens on this node's address (the one other agents reach), on a free port, with the agent's mTLS files.</summary>
    public static LazyPages LazyPagesFor(AgentIdentity identity, AgentOptions options)
    {
        var host = identity.Endpoint[..identity.Endpoint.LastIndexOf(':')];
        using var probe = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        probe.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Parse(host), 0));
        var port = ((System.Net.IPEndPoint)probe.LocalEndPoint!).Port;
        return WithTls(host, port, options);
    }

    public static LazyPages WithTls(string host, int port, AgentOptions options) => new(
        host,
        port,
        Path.Combine(options.CredentialsDirectory, "ca.crt"),
        Path.Combine(options.CredentialsDirectory, $"{options.CredentialName}.crt"),
        Path.Combine(options.CredentialsDirectory, $"{options.CredentialName}.key"));

    private SourceAttempt Find(string attemptId) =>
        _attempts.GetValueOrDefault(attemptId) ?? throw new KeyNotFoundException($"no migration attempt {attemptId} on node {identity.Node}");
}
