namespace Ssi.Cli.Local;

/// <summary>Finds the local cluster a command talks to: the one named, or the only one that is up.</summary>
internal static class LocalClusterResolver
{
    public static (LocalClusterLayout Layout, LocalClusterState State) Resolve(string root, string? name)
    {
        if (name is null)
        {
            var clusters = LocalClusterStatusReader.ListClusters(root);
            name = clusters.Count switch
            {
                1 => clusters[0],
                0 => throw new LocalClusterException("no local cluster is up; start one with `ssi local up -f crds/samples/ssicluster-local.yaml`"),
                _ => throw new LocalClusterException($"several local clusters are up ({string.Join(", ", clusters)}); name one with --cluster"),
            };
        }

        var stateFile = Path.Combine(LocalClusterLayout.StateDirectoryFor(root, name), "state.json");
        var state = LocalClusterState.TryLoad(stateFile)
            ?? throw new LocalClusterException($"there is no local cluster named {name} (no {stateFile})");
        if (state.Phase != LocalClusterPhase.Up)
        {
            throw new LocalClusterException($"local cluster {name} is not up ({state.Phase}); run `ssi local down -n {name}` and `ssi local up` again");
        }

        return (LocalClusterLayout.Build(state.Cluster, root), state);
    }
}
