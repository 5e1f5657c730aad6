using Ssi.Cli.Local;

namespace Ssi.Cli.Tests.Local;

/// <summary>Which directories `up` journals for `down` to remove: its own, never what other clusters share.</summary>
public sealed class LocalClusterDirectoriesTests
{
    [Fact]
    public void Up_that_makes_the_data_root_journals_only_its_own_cluster_directory()
    {
        // Nothing of /var/lib/ssi-operator exists yet: removing the topmost would take other clusters' data with it later.
        var topmost = LocalClusterProvisioner.TopmostToCreate("/var/lib/ssi-operator/c1/cfs", path => path is "/" or "/var" or "/var/lib");

        Assert.Equal("/var/lib/ssi-operator/c1", topmost);
    }

    [Fact]
    public void A_directory_outside_the_data_root_is_journaled_from_the_topmost_missing_parent()
    {
        var topmost = LocalClusterProvisioner.TopmostToCreate("/srv/data/ssi/cfs", path => path is "/" or "/srv");

        Assert.Equal("/srv/data", topmost);
    }
}
