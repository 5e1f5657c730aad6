using System.Text.Json;
using Ssi.Api.V1Alpha1;

namespace Ssi.Cli.Local;

/// <summary>
/// The journal of a local cluster: every resource is recorded before it is created, so that
/// <c>ssi local down</c> can remove all of it even after <c>up</c> crashed midway.
/// </summary>
internal sealed class LocalClusterState
{
    public LocalClusterPhase Phase { get; set; } = LocalClusterPhase.Creating;

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? ReadyAt { get; set; }

    /// <summary>The SsiCluster the cluster was made from; the layout is derived from it.</summary>
    public V1Alpha1SsiCluster Cluster { get; set; } = new();

    public string? ManifestPath { get; set; }

    public List<string> NetworkNamespaces { get; set; } = [];

    public List<string> Mounts { get; set; } = [];

    /// <summary>Directories `up` created outside the state directory (the data directory, the mount point), removed by `down`.</summary>
    public List<string> Directories { get; set; } = [];

    public List<LocalProcessRecord> Processes { get; set; } = [];

    public static LocalClusterState? TryLoad(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(path), LocalStateJsonContext.Default.LocalClusterState);
        }
        catch (JsonException)
        {
            return null; // a torn or foreign file: `down` still sweeps by naming convention
        }
    }

    /// <summary>Writes the journal atomically (write to a temporary file, fsync, rename).</summary>
    public void Save(string path)
    {
        var temporary = path + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(stream, this, LocalStateJsonContext.Default.LocalClusterState);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }
}
