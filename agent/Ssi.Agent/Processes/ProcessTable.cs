using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Ssi.Agent.Contracts.Processes;
using Ssi.Agent.Hosting;
using Ssi.Agent.Native.Processes;

namespace Ssi.Agent.Processes;

/// <summary>
/// This node's share of the cluster-wide process table: every process of every SSI workload,
/// with its cluster PID. Kept in sync with the kernel by fork/exec/exit events
/// (<see cref="ProcessEventMonitor"/>) and by walking /proc children when a workload is
/// registered or when events were lost.
/// </summary>
internal sealed class ProcessTable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<int, TrackedProcess> _byHostPid = [];
    private readonly Dictionary<ClusterPid, TrackedProcess> _byClusterPid = [];
    private readonly List<Channel<ProcessTableEvent>> _watchers = [];
    private readonly HashSet<ClusterPid> _reserved = [];
    private readonly Dictionary<ClusterPid, Workload> _started = [];

    /// <summary>Workloads by their shim's host PID, until their end is settled (their shim's last report can come after its exit event).</summary>
    private readonly Dictionary<int, Workload> _shims = [];
    private readonly LocalPidAllocator _allocator;
    private readonly int _nodeIndex;
    private readonly TimeProvider _time;

    public ProcessTable(IOptions<AgentOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _nodeIndex = options.Value.NodeIndex;
        _allocator = new LocalPidAllocator(options.Value.StateDirectory);
        _time = time;
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _byClusterPid.Count;
            }
        }
    }

    /// <summary>Starts tracking a workload whose launcher has just been spawned, and adopts whatever it already forked.</summary>
    public Workload Register(int launcherPid)
    {
        var workload = new Workload(launcherPid);
        lock (_lock)
        {
            // The command's cluster PID is reserved now: a command that ends before the table sees it still has one.
            workload.RootClusterPid = AllocateClusterPid();
            _reserved.Add(workload.RootClusterPid.Value);
            _started[workload.RootClusterPid.Value] = workload;
            if (ProcStat.Read(launcherPid) is { } stat)
            {
                _byHostPid[launcherPid] = new TrackedProcess(launcherPid, stat.StartTicks, null, 0, workload);
            }
        }

        Resynchronize(workload);
        return workload;
    }

    /// <summary>
    /// Starts tracking a workload restored here by a migration: its shim has no launcher, and its
    /// processes keep the cluster PIDs they had (matched by their PID inside the workload's namespace).
    /// </summary>
    public Workload Adopt(int shimPid, ClusterPid root, IReadOnlyDictionary<int, ClusterPid> byNamespacePid)
    {
        var workload = new Workload(shimPid) { ShimPid = shimPid, RootClusterPid = root, RestoredClusterPids = byNamespacePid };
        lock (_lock)
        {
            _shims[shimPid] = workload;
            if (ProcStat.Read(shimPid) is { } stat)
            {
                _byHostPid[shimPid] = new TrackedProcess(shimPid, stat.StartTicks, null, 0, workload);
            }
        }

        Resynchronize(workload);
        return workload;
    }

    /// <summary>
    /// Starts tracking a workload found running in a container (<see cref="ContainerWorkloads"/>):
    /// its shim, started by the container runtime, has no launcher and plays that part; its command
    /// gets a new cluster PID, as the command of a workload started here does. The workload the shim
    /// is already in, if any; null when the shim is gone.
    /// </summary>
    public Workload? AdoptContainer(int shimPid)
    {
        Workload workload;
        lock (_lock)
        {
            if (_byHostPid.TryGetValue(shimPid, out var known))
            {
                return known.Workload;
            }

            if (ProcStat.Read(shimPid) is not { } stat)
            {
                return null;
            }

            workload = new Workload(shimPid) { ShimPid = shimPid, RootClusterPid = AllocateClusterPid() };
            _reserved.Add(workload.RootClusterPid.Value);
            _byHostPid[shimPid] = new TrackedProcess(shimPid, stat.StartTicks, null, 0, workload);
        }

        Resynchronize(workload);
        return workload;
    }

    /// <summary>The workload whose tree holds <paramref name="cpid"/>.</summary>
    public Workload? FindWorkload(ClusterPid cpid) => Find(cpid)?.Workload;

    /// <summary>A workload started here (with a caller attached) by the cluster PID of its root.</summary>
    public Workload? FindWorkloadByRoot(ClusterPid root)
    {
        lock (_lock)
        {
            return _started.GetValueOrDefault(root);
        }
    }

    public void ForgetStarted(ClusterPid root)
    {
        lock (_lock)
        {
            _started.Remove(root);
        }
    }

    /// <summary>The workload whose shim has host PID <paramref name="pid"/>, or null when that process is no shim of this node.</summary>
    public Workload? FindWorkloadOfShim(int pid)
    {
        lock (_lock)
        {
            if (_shims.TryGetValue(pid, out var known))
            {
                return known;
            }
        }

        // A shim reports its start at once: the kernel's fork event may not have named it yet.
        ResynchronizeAll();
        lock (_lock)
        {
            return _shims.GetValueOrDefault(pid);
        }
    }

    /// <summary>What a workload's shim reported: its start (the table walks the workload at once), an orphan reaped, or the command's end.</summary>
    public void OnShimReport(Workload workload, ShimReport report)
    {
        ArgumentNullException.ThrowIfNull(workload);
        ArgumentNullException.ThrowIfNull(report);
        switch (report.Kind)
        {
            case ShimReportKind.Started:
                Resynchronize(workload);
                break;
            case ShimReportKind.Reaped:
                workload.CountOrphanReaped();
                break;
            case ShimReportKind.Exited:
                workload.ReportedExit = report.Status;
                break;
        }
    }

    /// <summary>
    /// The workload ended here (its launcher or its restored shim was reaped, and the reports its
    /// shim sent before are in): how, as its shim reported it or else as observed, published to watchers.
    /// </summary>
    public WorkloadEnd EndWorkload(Workload workload, ExitStatus observed)
    {
        ArgumentNullException.ThrowIfNull(workload);
        var end = new WorkloadEnd(workload.ReportedExit ?? observed, workload.ReportedExit is not null, workload.OrphansReaped);
        lock (_lock)
        {
            RemoveShim(workload);
            if (workload.RootClusterPid is { } root)
            {
                Publish(new ProcessTableEvent(ProcessTableEventKind.WorkloadEnded, root, null, workload.RootPid ?? workload.LauncherPid, _time.GetUtcNow(), end));
            }
        }

        return end;
    }

    /// <summary>A workload that ended elsewhere or was abandoned here: its shim is no longer one of this node's.</summary>
    public void ForgetShim(Workload workload)
    {
        ArgumentNullException.ThrowIfNull(workload);
        lock (_lock)
        {
            RemoveShim(workload);
        }
    }

    private void RemoveShim(Workload workload)
    {
        if (workload.ShimPid is { } shim && _shims.GetValueOrDefault(shim) == workload)
        {
            _shims.Remove(shim);
        }
    }

    /// <summary>A fork seen by the kernel: the child joins the table if its parent is in it.</summary>
    public void OnFork(int parentTgid, int childPid, int childTgid)
    {
        if (childPid != childTgid)
        {
            return; // a new thread, not a new process
        }

        lock (_lock)
        {
            if (_byHostPid.TryGetValue(parentTgid, out var parent))
            {
                Add(parent, childTgid);
            }
        }
    }

    public void OnExec(int tgid)
    {
        lock (_lock)
        {
            if (_byHostPid.TryGetValue(tgid, out var process) && process.ClusterPid is { } cpid)
            {
                Publish(new ProcessTableEvent(ProcessTableEventKind.Execed, cpid, ParentOf(process), tgid, _time.GetUtcNow()));
            }
        }
    }

    public void OnExit(int pid, int tgid)
    {
        if (pid != tgid)
        {
            return; // a thread ended
        }

        lock (_lock)
        {
            Remove(tgid);
        }
    }

    /// <summary>Walks /proc from every workload's launcher: adds what events missed, drops what is gone.</summary>
    public void ResynchronizeAll()
    {
        List<Workload> workloads;
        lock (_lock)
        {
            workloads = _byHostPid.Values.Select(p => p.Workload).Distinct().ToList();
        }

        foreach (var workload in workloads)
        {
            Resynchronize(workload);
        }
    }

    public IReadOnlyList<TrackedProcess> Snapshot()
    {
        lock (_lock)
        {
            return _byClusterPid.Values.OrderBy(p => p.ClusterPid!.Value.Value).ToList();
        }
    }

    public TrackedProcess? Find(ClusterPid cpid)
    {
        lock (_lock)
        {
            return _byClusterPid.GetValueOrDefault(cpid);
        }
    }

    public TrackedProcess? FindByHostPid(int pid)
    {
        lock (_lock)
        {
            return _byHostPid.GetValueOrDefault(pid);
        }
    }

    /// <summary>Table changes from now on, until <paramref name="cancellationToken"/> fires.</summary>
    public ChannelReader<ProcessTableEvent> Watch(CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<ProcessTableEvent>(new BoundedChannelOptions(4096) { FullMode = BoundedChannelFullMode.DropOldest });
        lock (_lock)
        {
            _watchers.Add(channel);
        }

        cancellationToken.Register(() =>
        {
            lock (_lock)
            {
                _watchers.Remove(channel);
            }

            channel.Writer.TryComplete();
        });
        return channel.Reader;
    }

    private void Resynchronize(Workload workload)
    {
        lock (_lock)
        {
            // Drop what is gone or was replaced by a new process with a recycled PID.
            foreach (var process in _byHostPid.Values.Where(p => p.Workload == workload).ToList())
            {
                if (ProcStat.Read(process.HostPid) is not { } stat || stat.StartTicks != process.StartTicks || stat.State == 'Z')
                {
                    Remove(process.HostPid);
                }
            }

            // Add descendants the events did not bring (they raced with Register, or were lost).
            if (!_byHostPid.TryGetValue(workload.LauncherPid, out var launcher))
            {
                return;
            }

            var pending = new Stack<TrackedProcess>([launcher]);
            while (pending.TryPop(out var parent))
            {
                foreach (var child in ProcFiles.Children(parent.HostPid))
                {
                    var tracked = _byHostPid.GetValueOrDefault(child) ?? Add(parent, child);
                    if (tracked is not null)
                    {
                        pending.Push(tracked);
                    }
                }
            }
        }
    }

    private TrackedProcess? Add(TrackedProcess parent, int pid)
    {
        if (_byHostPid.TryGetValue(pid, out var existing))
        {
            return existing;
        }

        if (ProcStat.Read(pid) is not { } stat)
        {
            return null; // already gone
        }

        var workload = parent.Workload;
        ClusterPid? cpid = null;
        if (workload.RestoredClusterPids is { } restored)
        {
            cpid = restored.TryGetValue(ProcFiles.NamespacePid(pid), out var kept) ? kept : AllocateClusterPid();
            if (cpid == workload.RootClusterPid)
            {
                workload.SetRoot(pid);
            }
        }
        else if (parent.HostPid == workload.LauncherPid && workload.ShimPid is null)
        {
            workload.ShimPid = pid;
            _shims[pid] = workload;
        }
        else if (parent.HostPid == workload.ShimPid && workload.RootPid is null && workload.RootClusterPid is { } reserved)
        {
            cpid = reserved;
            _reserved.Remove(reserved);
            workload.SetRoot(pid);
        }
        else
        {
            cpid = AllocateClusterPid();
        }

        var process = new TrackedProcess(pid, stat.StartTicks, cpid, parent.HostPid, workload);
        _byHostPid[pid] = process;
        if (cpid is { } assigned)
        {
            _byClusterPid[assigned] = process;
            Publish(new ProcessTableEvent(ProcessTableEventKind.Started, assigned, ParentOf(process), pid, _time.GetUtcNow()));
        }

        return process;
    }

    private void Remove(int pid)
    {
        if (!_byHostPid.Remove(pid, out var process))
        {
            return;
        }

        if (pid == process.Workload.LauncherPid && process.Workload.RootPid is null && process.Workload.RootClusterPid is { } unused)
        {
            _reserved.Remove(unused);
        }

        if (process.ClusterPid is { } cpid)
        {
            _byClusterPid.Remove(cpid);
            Publish(new ProcessTableEvent(ProcessTableEventKind.Exited, cpid, ParentOf(process), pid, _time.GetUtcNow()));
        }
    }

    private ClusterPid? ParentOf(TrackedProcess process) =>
        _byHostPid.GetValueOrDefault(process.ParentHostPid)?.ClusterPid;

    private ClusterPid AllocateClusterPid()
    {
        while (true)
        {
            var cpid = ClusterPid.Create(_nodeIndex, _allocator.Next());
            if (!_byClusterPid.ContainsKey(cpid) && !_reserved.Contains(cpid))
            {
                return cpid;
            }
        }
    }

    private void Publish(ProcessTableEvent change)
    {
        foreach (var watcher in _watchers)
        {
            watcher.Writer.TryWrite(change);
        }
    }
}
