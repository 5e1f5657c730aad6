using Microsoft.Extensions.Options;
using Ssi.Agent.Hosting;
using Ssi.Agent.Native;
using Ssi.Agent.Native.Processes;
using Ssi.Agent.Native.Spawn;
using Ssi.Agent.Native.Terminals;

namespace Ssi.Agent.Processes;

/// <summary>
/// Starts workloads (OpenSSI's rexec): <c>unshare --pid --ipc --mount --propagation slave --fork --
/// ssi-shim --own-proc -- COMMAND</c>, so that every workload is PID 1's tree in a PID namespace of
/// its own (a later restore elsewhere can never collide on PIDs) with its own /proc, SysV IPC
/// namespace and mount namespace (a copy of the node's: the shared filesystem and the remote device
/// files included), while it shares the node's network namespace. stdio is three pipes, or a new pty.
/// The shim reports to <see cref="ShimReportListener"/>.
/// </summary>
internal sealed class WorkloadRunner(ProcessTable table, ShimReportListener reports, IOptions<AgentOptions> options, AgentIdentity identity)
{
    private const int O_RDWR = 2;
    private const int O_NOCTTY = 0x100;
    private const int O_WRONLY = 1;
    private const int O_CREAT = 0x40;
    private const int O_APPEND = 0x400;

    public RunningWorkload Start(WorkloadRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var o = options.Value;
        if (!File.Exists(o.ShimPath))
        {
            throw new FileNotFoundException($"the workload init {o.ShimPath} does not exist (run eng/install.sh)", o.ShimPath);
        }

        var argv = new List<string> { o.UnsharePath, "--pid", "--ipc", "--mount", "--propagation", "slave", "--fork", "--", o.ShimPath, "--own-proc" };
        if (!string.IsNullOrEmpty(o.ShimReportSocket))
        {
            argv.AddRange(["--report", o.ShimReportSocket]);
        }

        foreach (var hidden in o.HiddenMounts)
        {
            argv.AddRange(["--hide", hidden]);
        }

        argv.Add("--");
        argv.AddRange(request.Argv);
        var environment = new List<string>
        {
            "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "HOME=/root",
            $"SSI_CLUSTER={identity.Cluster}",
            $"SSI_NODE={identity.Node}",
        };
        if (request.Tty)
        {
            environment.Add($"TERM={(string.IsNullOrEmpty(request.Term) ? "xterm" : request.Term)}");
        }

        environment.AddRange(request.Environment);
        var directory = string.IsNullOrEmpty(request.WorkingDirectory) ? "/" : request.WorkingDirectory;
        return request.Detach ? StartDetached(argv, environment, directory)
            : request.Tty ? StartOnTerminal(request, argv, environment, directory)
            : StartOnPipes(argv, environment, directory);
    }

    /// <summary>Detached: stdin /dev/null, stdout and stderr appended to a log file of the agent's.</summary>
    private RunningWorkload StartDetached(List<string> argv, List<string> environment, string directory)
    {
        var logs = Path.Combine(options.Value.StateDirectory ?? Path.GetTempPath(), "workloads");
        Directory.CreateDirectory(logs);
        var logPath = Path.Combine(logs, $"{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Guid.NewGuid().ToString("N")[..8]}.log");
        var devNull = FileDescriptor.Open("/dev/null", O_RDWR);
        var log = FileDescriptor.Open(logPath, O_WRONLY | O_CREAT | O_APPEND, 420 /* 0644 */);
        try
        {
            var pid = Spawner.Start(new SpawnOptions(argv)
            {
                Environment = environment,
                Descriptors = [(devNull, 0), (log, 1), (log, 2)],
                NewSession = true,
                WorkingDirectory = directory,
            });
            var workload = table.Register(pid);
            return new RunningWorkload(workload, false, null, Stream.Null, Stream.Null, null, WaitAsync(pid, workload)) { LogPath = logPath };
        }
        finally
        {
            FileDescriptor.Close(devNull);
            FileDescriptor.Close(log);
        }
    }

    private RunningWorkload StartOnTerminal(WorkloadRequest request, List<string> argv, List<string> environment, string directory)
    {
        var (master, slavePath) = Pty.Open();
        var slave = -1;
        try
        {
            Pty.SetWindowSize(master, request.Rows == 0 ? (ushort)24 : request.Rows, request.Columns == 0 ? (ushort)80 : request.Columns);
            slave = FileDescriptor.Open(slavePath, O_RDWR | O_NOCTTY);
            var pid = Spawner.Start(new SpawnOptions(argv)
            {
                Environment = environment,
                Descriptors = [(slave, 0), (slave, 1), (slave, 2)],
                NewSession = true,
                WorkingDirectory = directory,
            });
            FileDescriptor.Close(slave);
            var workload = Attached(table.Register(pid));
            var masterCopy = FileDescriptor.Duplicate(master);
            return new RunningWorkload(workload, true, master, RunningWorkload.WriteStream(masterCopy), RunningWorkload.ReadStream(master), null, WaitAsync(pid, workload));
        }
        catch
        {
            FileDescriptor.Close(slave);
            FileDescriptor.Close(master);
            throw;
        }
    }

    private RunningWorkload StartOnPipes(List<string> argv, List<string> environment, string directory)
    {
        var stdin = FileDescriptor.Pipe();
        var stdout = FileDescriptor.Pipe();
        var stderr = FileDescriptor.Pipe();
        try
        {
            var pid = Spawner.Start(new SpawnOptions(argv)
            {
                Environment = environment,
                Descriptors = [(stdin.Read, 0), (stdout.Write, 1), (stderr.Write, 2)],
                NewSession = true,
                WorkingDirectory = directory,
            });
            FileDescriptor.Close(stdin.Read);
            FileDescriptor.Close(stdout.Write);
            FileDescriptor.Close(stderr.Write);
            var workload = Attached(table.Register(pid));
            return new RunningWorkload(
                workload,
                false,
                null,
                RunningWorkload.WriteStream(stdin.Write),
                RunningWorkload.ReadStream(stdout.Read),
                RunningWorkload.ReadStream(stderr.Read),
                WaitAsync(pid, workload));
        }
        catch
        {
            foreach (var fd in new[] { stdin.Read, stdin.Write, stdout.Read, stdout.Write, stderr.Read, stderr.Write })
            {
                FileDescriptor.Close(fd);
            }

            throw;
        }
    }

    /// <summary>A caller waits here for the exit status, wherever the workload moves.</summary>
    private Workload Attached(Workload workload)
    {
        workload.SessionNode = identity.Node;
        workload.SessionEndpoint = identity.Endpoint;
        return workload;
    }

    /// <summary>
    /// The workload's exit status: its command's, as its shim reported it (else the launcher's,
    /// which ends as the shim did), or, when the workload moved to another node (the launcher then
    /// ends with the original), the one reported from there.
    /// </summary>
    private Task<ExitStatus> WaitAsync(int launcherPid, Workload workload)
    {
        var done = new TaskCompletionSource<ExitStatus>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            var ended = ChildProcess.Wait(launcherPid);
            reports.Drain();
            if (workload.RemoteExit is { } remote)
            {
                table.ForgetShim(workload);
                _ = remote.Task.ContinueWith(t => Complete(t.Result), TaskScheduler.Default);
                return;
            }

            Complete(table.EndWorkload(workload, ended?.Status ?? new ExitStatus(255, 0)).Status);
        }, maxStackSize: 128 * 1024)
        {
            IsBackground = true,
            Name = $"wait-{launcherPid}",
        };
        thread.Start();
        return done.Task;

        void Complete(ExitStatus status)
        {
            if (workload.RootClusterPid is { } root)
            {
                table.ForgetStarted(root);
            }

            done.TrySetResult(status);
        }
    }
}
