using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Ssi.Agent.Native.Fuse;
using Ssi.Agent.Native.Mounts;

namespace Ssi.Agent.Filesystem;

/// <summary>
/// pvc mode: the ReadWriteMany volume (mounted at the backing directory, in a pod by the kubelet) is
/// bind-mounted at the cluster's mount path, where workloads find it. No FUSE and no home: the volume's
/// own filesystem (CephFS, NFS, ...) keeps the nodes coherent. Health is checked every
/// <see cref="CheckInterval"/>: the volume is a mount, the bind mount is in place, and the tree answers.
/// </summary>
internal sealed class SharedVolume(IOptions<FilesystemOptions> options, FilesystemRole role, ILogger<SharedVolume> logger)
{
    public const string RoleName = "volume";
    private static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(5);

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        var mounted = false;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                string? problem = null;
                if (!mounted && MountTable.TypeAt(o.BackingDirectory) is not null)
                {
                    try
                    {
                        Directory.CreateDirectory(o.MountPath);
                        _ = FuseDevice.TryUnmount(o.MountPath); // left by an agent that crashed
                        BindMount.Mount(o.BackingDirectory, o.MountPath);
                        mounted = true;
                        FsLog.Mounted(logger, o.MountPath, RoleName, o.BackingDirectory);
                    }
                    catch (IOException e)
                    {
                        problem = $"Could not bind-mount the volume at {o.MountPath}: {e.Message}";
                    }
                }

                problem ??= await CheckAsync(o, stoppingToken).ConfigureAwait(false);
                role.Report(RoleName, problem is null, false, problem ?? "");
                if (problem is not null)
                {
                    FsLog.VolumeUnusable(logger, o.MountPath, problem);
                }

                await Task.Delay(CheckInterval, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
        finally
        {
            if (mounted)
            {
                _ = FuseDevice.TryUnmount(o.MountPath);
            }

            role.Report(RoleName, false, false, "Unmounted.");
        }
    }

    /// <summary>Why the volume is not usable at the mount path, as a sentence; null when it is.</summary>
    private static async Task<string?> CheckAsync(FilesystemOptions o, CancellationToken cancellationToken)
    {
        if (MountTable.TypeAt(o.BackingDirectory) is null)
        {
            return $"No volume is mounted at {o.BackingDirectory} (is the ReadWriteMany claim bound and mounted?).";
        }

        if (MountTable.TypeAt(o.MountPath) is null)
        {
            return $"The volume is not mounted at {o.MountPath}.";
        }

        try
        {
            // A network filesystem that lost its server blocks rather than fails: bound the wait.
            await Task.Run(() => Directory.EnumerateFileSystemEntries(o.MountPath).Take(1).Count(), cancellationToken).WaitAsync(AnswerTimeout, cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (TimeoutException)
        {
            return $"The volume at {o.MountPath} did not answer within {AnswerTimeout.TotalSeconds:0} s.";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"The volume at {o.MountPath} fails: {e.Message}";
        }
    }
}
