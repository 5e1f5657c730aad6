using System.Globalization;
using Ssi.Agent.Native.Mounts;

namespace Ssi.Agent.Migration.Landing;

/// <summary>
/// The landing container's root and its counterparts of a workload's external mounts, copied into
/// the agent's mount namespace for the time of one restore (<see cref="ForeignMount"/>: the kernel
/// binds nothing straight out of another mount namespace): criu rebuilds the workload's mount
/// namespace on the root (<c>--root</c>) and binds each external mount from the copy of the landing
/// container's mount at the same mount point. The restored namespace holds its own binds; the
/// copies go when this is disposed.
/// </summary>
internal sealed class LandingMounts : IDisposable
{
    private readonly List<string> _staged = [];

    private LandingMounts(string directory)
    {
        Directory = directory;
    }

    public string Directory { get; }

    /// <summary>The copy of the landing container's root file system.</summary>
    public string Root => Path.Combine(Directory, "root");

    /// <summary>criu's <c>mnt[KEY]:PATH</c> pairs: each external mount's key and the copy of the landing container's mount to bind.</summary>
    public IReadOnlyList<(string Key, string Path)> External { get; private set; } = [];

    /// <summary>
    /// The mount points of <paramref name="mountPoints"/> at which the landing container has nothing
    /// mounted (its table: <paramref name="landing"/>, as its placeholder sees it). Its pod was made
    /// with the source pod's volumes and mounts; a mount point missing means another pod. Pure.
    /// </summary>
    public static IReadOnlyList<string> Missing(IReadOnlyList<MountEntry> landing, IEnumerable<string> mountPoints)
    {
        ArgumentNullException.ThrowIfNull(landing);
        ArgumentNullException.ThrowIfNull(mountPoints);
        var present = landing.Select(m => m.MountPoint).ToHashSet(StringComparer.Ordinal);
        return mountPoints.Where(m => !present.Contains(m)).Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// Copies the landing container's root and its mounts at <paramref name="mountPoints"/> under
    /// <paramref name="directory"/> (a directory of its own per attempt, made here and removed again
    /// by <see cref="Dispose"/>, never recursively).
    /// </summary>
    public static LandingMounts Stage(LandingPlaceholder placeholder, IReadOnlyList<string> mountPoints, string directory)
    {
        ArgumentNullException.ThrowIfNull(placeholder);
        ArgumentNullException.ThrowIfNull(mountPoints);
        if (Missing(MountEntry.Of(placeholder.Pid), mountPoints) is { Count: > 0 } missing)
        {
            throw new MigrationException($"the landing container has nothing mounted at {string.Join(", ", missing)}: the workload's container had (a landing pod needs the source pod's volumes and mounts)");
        }

        if (System.IO.Directory.Exists(directory))
        {
            throw new MigrationException($"{directory} is already there: another restore of this attempt runs, or one left its mounts");
        }

        System.IO.Directory.CreateDirectory(directory);
        var staged = new LandingMounts(directory);
        try
        {
            var mountNamespace = placeholder.NamespacePath("mnt");
            staged.Add(mountNamespace, "/", staged.Root);
            var external = new List<(string, string)>();
            foreach (var (mountPoint, i) in mountPoints.Distinct(StringComparer.Ordinal).Select((m, i) => (m, i)))
            {
                var copy = Path.Combine(directory, i.ToString(CultureInfo.InvariantCulture));
                staged.Add(mountNamespace, mountPoint, copy);
                external.Add((Checkpoint.CriuArguments.MountKey(mountPoint), copy));
            }

            staged.External = external;
            return staged;
        }
        catch
        {
            staged.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Removes what restores left beneath <paramref name="nodeDirectory"/> when the agent stopped in
    /// the middle of one: the copies are unmounted (they would keep the landing containers' volumes
    /// busy), then their empty mount points and directories go, never anything recursively.
    /// Returns how many copies were still mounted.
    /// </summary>
    public static int ReleaseLeftOver(string nodeDirectory)
    {
        if (!System.IO.Directory.Exists(nodeDirectory))
        {
            return 0;
        }

        var prefix = nodeDirectory.TrimEnd('/') + "/";
        var mounted = MountEntry.ParseAll(File.ReadLines("/proc/self/mountinfo")).Select(m => m.MountPoint)
            .Where(m => m.StartsWith(prefix, StringComparison.Ordinal)).Distinct(StringComparer.Ordinal).Reverse().ToList();
        foreach (var copy in mounted)
        {
            try
            {
                ForeignMount.Release(copy);
            }
            catch (IOException)
            {
                // left as it is
            }
        }

        foreach (var attempt in System.IO.Directory.GetDirectories(nodeDirectory))
        {
            using var staged = new LandingMounts(attempt);
            staged._staged.AddRange(System.IO.Directory.GetFileSystemEntries(attempt));
        }

        return mounted.Count;
    }

    private void Add(string mountNamespace, string path, string copy)
    {
        _staged.Add(copy); // released even when the copy fails half way
        try
        {
            ForeignMount.Clone(mountNamespace, path, copy);
        }
        catch (IOException e)
        {
            throw new MigrationException($"cannot take the landing container's {path}: {e.Message}");
        }
    }

    /// <summary>Unmounts the copies and removes their mount points and the directory; a copy that cannot be unmounted is left as it is, with its directory.</summary>
    public void Dispose()
    {
        foreach (var copy in Enumerable.Reverse(_staged))
        {
            try
            {
                ForeignMount.Release(copy);
            }
            catch (IOException)
            {
                // still mounted: its mount point and the directory stay (nothing is removed recursively)
            }
        }

        _staged.Clear();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: false);
        }
        catch (IOException)
        {
            // not empty: a copy stayed mounted
        }
    }
}
