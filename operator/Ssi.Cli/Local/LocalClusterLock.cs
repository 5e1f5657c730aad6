namespace Ssi.Cli.Local;

/// <summary>An exclusive lock per cluster name, so that two up/down of one cluster never interleave.</summary>
internal static class LocalClusterLock
{
    /// <summary>Removes the lock file once the cluster is gone (called while holding it).</summary>
    public static void Delete(string root, string cluster) => File.Delete(PathOf(root, cluster));

    private static string PathOf(string root, string cluster) => Path.Combine(root, $".{cluster}.lock");

    public static FileStream Acquire(string root, string cluster)
    {
        var path = PathOf(root, cluster);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                // .NET takes an flock(2) for FileShare.None; it goes away with the process.
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(100);
            }
            catch (IOException e)
            {
                throw new LocalClusterException($"another ssi command is working on cluster {cluster} (lock {path})", e);
            }
        }
    }
}
