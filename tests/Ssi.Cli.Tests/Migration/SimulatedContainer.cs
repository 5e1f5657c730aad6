using System.Diagnostics;
using System.Globalization;
using Ssi.Agent.Native;
using Ssi.Agent.Native.Processes;
using Ssi.Cli.Local;
using Ssi.Testing;

namespace Ssi.Cli.Tests.Migration;

/// <summary>
/// A pod's container on one node of a local cluster, made as a kubelet and a container runtime make
/// one, without either: a process tree in PID, mount, network, IPC and UTS namespaces of its own
/// (the mount namespace a copy of the node's), whose root is an overlay (the image directory over
/// the host's / as read-only layers, a writable layer of its own) entered with pivot_root; the binds
/// a kubelet asks for (each volume from the pod's directory under the fake kubelet root, where the
/// node has mounted the volume's storage; /etc/hosts from the pod's directory; the node's shim
/// directory at /run/ssi/bin, read-only); its own /proc and a tmpfs /dev; a hostname; a cgroup named
/// as the kubelet names a pod's container, beneath the node's pod cgroup root. Its PID 1 is ssi-shim,
/// as in a pod whose command is <c>/run/ssi/bin/ssi-shim -- COMMAND</c>.
/// </summary>
internal sealed class SimulatedContainer : IAsyncDisposable
{
    /// <summary>Where the pids cgroup hierarchy (cgroup v1) is mounted: pods' cgroups are made there.</summary>
    public const string PidsHierarchy = "/sys/fs/cgroup/pids";

    private readonly Process _runtime;
    private readonly IReadOnlyList<string> _volumeMounts;

    private SimulatedContainer(ContainerSpec spec, string podUid, string containerId, string directory, Process runtime, IReadOnlyList<string> volumeMounts)
    {
        Spec = spec;
        PodUid = podUid;
        ContainerId = containerId;
        Directory = directory;
        _runtime = runtime;
        _volumeMounts = volumeMounts;
    }

    public ContainerSpec Spec { get; }

    public string PodUid { get; }

    /// <summary>64 hex digits, as a runtime's id.</summary>
    public string ContainerId { get; }

    /// <summary>The runtime's directory of this container: root (the overlay's mount point), upper (its writable layer), work, log.</summary>
    public string Directory { get; }

    public string Upper => Path.Combine(Directory, "upper");

    /// <summary>The pod's directory under the fake kubelet root (volumes/, etc-hosts).</summary>
    public string PodDirectory => Path.Combine(Spec.KubeletRoot, Spec.Node.Name, "pods", PodUid);

    public string CgroupPath => $"{Spec.Node.PodCgroupRoot}/kubepods/pod{PodUid}/{ContainerId}";

    /// <summary>Host PID of the container's init, the shim.</summary>
    public int ShimPid { get; private set; }

    /// <summary>The source of a volume as the kubelet presents it to the runtime (a path of the node's mount namespace).</summary>
    public string VolumeSource(string name) => Path.Combine(PodDirectory, "volumes", "kubernetes.io~nfs", name);

    /// <summary>Makes the container and waits until its shim runs.</summary>
    public static async Task<SimulatedContainer> StartAsync(ContainerSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        Prerequisites.RequireCommand("nsenter", "util-linux");
        Prerequisites.RequireCommand("unshare", "util-linux");
        if (!File.Exists(Path.Combine(PidsHierarchy, "cgroup.procs")))
        {
            throw new PrerequisiteMissingException($"the cgroup v1 pids hierarchy at {PidsHierarchy}");
        }

        var podUid = Guid.NewGuid().ToString();
        var containerId = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()) + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        var directory = Path.Combine(spec.RuntimeRoot, containerId[..12]);
        foreach (var part in new[] { "root", "upper", "work" })
        {
            System.IO.Directory.CreateDirectory(Path.Combine(directory, part));
        }

        var pod = Path.Combine(spec.KubeletRoot, spec.Node.Name, "pods", podUid);
        System.IO.Directory.CreateDirectory(pod);
        await File.WriteAllTextAsync(Path.Combine(pod, "etc-hosts"), $"# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n{spec.Address}\t{spec.PodName}\n");

        // The kubelet mounts each volume's storage in the pod's directory, on its own node.
        var volumeMounts = new List<string>();
        foreach (var volume in spec.Volumes)
        {
            var source = Path.Combine(pod, "volumes", "kubernetes.io~nfs", volume.Name);
            System.IO.Directory.CreateDirectory(source);
            await InNodeAsync(spec.Node, "mount", "--bind", volume.NodePath, source);
            volumeMounts.Add(source);
        }

        var cgroup = Path.Combine(PidsHierarchy, $"{spec.Node.PodCgroupRoot}/kubepods/pod{podUid}/{containerId}".TrimStart('/'));
        System.IO.Directory.CreateDirectory(cgroup);
        var root = Path.Combine(directory, "root");
        var script = string.Join('\n',
        [
            "set -e",
            $"echo 0 > {cgroup}/cgroup.procs",
            $"hostname {spec.PodName}",
            $"mount -t overlay overlay -o lowerdir={spec.Image}:/,upperdir={directory}/upper,workdir={directory}/work {root}",
            .. spec.Volumes.Select(v => $"mount --bind {Path.Combine(pod, "volumes", "kubernetes.io~nfs", v.Name)} {root}{v.MountPath}"),
            $"mount --bind {pod}/etc-hosts {root}/etc/hosts",
            $"mount --bind {Path.GetDirectoryName(spec.Shim)} {root}/run/ssi/bin",
            $"mount -o remount,bind,ro {root}/run/ssi/bin",
            $"mount -t proc proc {root}/proc",
            $"mount -t tmpfs -o mode=755,size=1m tmpfs {root}/dev",
            $"mknod -m 666 {root}/dev/null c 1 3",
            $"mknod -m 666 {root}/dev/zero c 1 5",
            $"mknod -m 666 {root}/dev/urandom c 1 9",
            $"cd {root}",
            "mkdir .old",
            "pivot_root . .old",
            "umount -l /.old",
            "rmdir /.old",
            "set +e",
            "exec </dev/null >/dev/null 2>&1",
            "for f in /proc/self/fd/*; do n=${f##*/}; if [ \"$n\" -gt 2 ]; then eval \"exec $n>&-\"; fi; done",
            $"exec setsid /run/ssi/bin/{Path.GetFileName(spec.Shim)} -- \"$@\"",
        ]);

        var log = Path.Combine(directory, "runtime.log");
        var info = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, WorkingDirectory = "/" };
        foreach (var argument in new[]
        {
            "-c", "exec \"$@\" >\"$0\" 2>&1 </dev/null", log,
            "nsenter", $"--mount={spec.Node.MountNamespaceFile}", "--",
            "unshare", "--mount", "--pid", "--fork", "--net", "--ipc", "--uts", "--propagation", "private", "--",
            "/bin/bash", "-c", script, "container",
        }.Concat(spec.Command))
        {
            info.ArgumentList.Add(argument);
        }

        var runtime = Process.Start(info) ?? throw new InvalidOperationException("the container runtime stand-in did not start");
        var container = new SimulatedContainer(spec, podUid, containerId, directory, runtime, volumeMounts);
        try
        {
            container.ShimPid = await container.WaitForShimAsync(log);
            return container;
        }
        catch
        {
            await container.DisposeAsync();
            throw;
        }
    }

    /// <summary>The process table of the machine: host PIDs of every process whose command line contains <paramref name="marker"/>, with their state.</summary>
    public static IReadOnlyList<(int Pid, char State)> ProcessesWith(string marker)
    {
        var found = new List<(int, char)>();
        foreach (var dir in System.IO.Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                var argv = File.ReadAllText(Path.Combine(dir, "cmdline")).Split('\0');
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var state = stat[stat.LastIndexOf(')') + 2];
                if (!argv[0].EndsWith("ssi-shim", StringComparison.Ordinal) && argv[0] is not ("unshare" or "nsenter" or "/bin/sh" or "/bin/bash")
                    && argv.Any(a => a.Contains(marker, StringComparison.Ordinal)) && state != 'Z')
                {
                    found.Add((pid, state));
                }
            }
            catch (IOException)
            {
                // gone
            }
        }

        return found;
    }

    public async ValueTask DisposeAsync()
    {
        if (ShimPid > 0)
        {
            ProcessSignals.Send(ShimPid, ProcessSignals.SIGKILL); // PID 1: the whole PID namespace goes
        }

        if (!_runtime.HasExited)
        {
            _runtime.Kill();
        }

        await _runtime.WaitForExitAsync();
        _runtime.Dispose();
        foreach (var mount in _volumeMounts)
        {
            await InNodeAsync(Spec.Node, "umount", "-l", mount);
        }

        // What is left in its cgroup goes too: a tree a migration restored beside it joined it.
        var cgroup = Path.Combine(PidsHierarchy, CgroupPath.TrimStart('/'));
        for (var i = 0; i < 100 && System.IO.Directory.Exists(cgroup); i++)
        {
            try
            {
                foreach (var pid in await File.ReadAllLinesAsync(Path.Combine(cgroup, "cgroup.procs")))
                {
                    ProcessSignals.Send(int.Parse(pid, CultureInfo.InvariantCulture), ProcessSignals.SIGKILL);
                }

                System.IO.Directory.Delete(cgroup);
            }
            catch (IOException)
            {
                await Task.Delay(100); // its last processes are being reaped
            }
        }

        // The pod's, then the node's kubepods and pod root, unless another container still has them.
        for (var parent = Path.GetDirectoryName(cgroup)!; parent.Length > PidsHierarchy.Length; parent = Path.GetDirectoryName(parent)!)
        {
            try
            {
                System.IO.Directory.Delete(parent);
            }
            catch (IOException)
            {
                break;
            }
        }

        // Nothing is mounted beneath these in this (the host's) mount namespace.
        System.IO.Directory.Delete(Directory, recursive: true);
        System.IO.Directory.Delete(PodDirectory, recursive: true);
    }

    private async Task<int> WaitForShimAsync(string log)
    {
        for (var i = 0; i < 200; i++)
        {
            if (_runtime.HasExited)
            {
                break;
            }

            foreach (var child in ProcessTree.Children(_runtime.Id))
            {
                if (File.ReadAllText($"/proc/{child}/comm").TrimEnd() == "ssi-shim" && ProcessTree.Children(child).Any())
                {
                    return child;
                }
            }

            await Task.Delay(50);
        }

        throw new InvalidOperationException($"the container's shim did not start: {(File.Exists(log) ? File.ReadAllText(log) : "(no log)")}");
    }

    /// <summary>Runs a command in the node's mount namespace, as the node's kubelet would.</summary>
    public static Task InNodeAsync(LocalNodeLayout node, params string[] command) =>
        HostCommand.RunAsync("nsenter", [$"--mount={node.MountNamespaceFile}", "--", .. command]);
}

/// <summary>What a <see cref="SimulatedContainer"/> is made of.</summary>
/// <param name="Node">The node it runs on (its mount namespace, its pod cgroup root).</param>
/// <param name="KubeletRoot">The fake kubelet's directory on the host (pods/&lt;uid&gt;/ beneath &lt;node&gt;/).</param>
/// <param name="RuntimeRoot">The fake runtime's directory: not on the file system of /, which the image's layers include.</param>
/// <param name="Image">The image's own layer (a directory), over the host's /.</param>
/// <param name="Volumes">Each volume: its name, the node's path of its storage, where the container mounts it.</param>
/// <param name="Shim">The shim, bound with its directory at /run/ssi/bin.</param>
internal sealed record ContainerSpec(
    LocalNodeLayout Node,
    string KubeletRoot,
    string RuntimeRoot,
    string Image,
    string PodName,
    string Address,
    IReadOnlyList<(string Name, string NodePath, string MountPath)> Volumes,
    string Shim,
    IReadOnlyList<string> Command);
