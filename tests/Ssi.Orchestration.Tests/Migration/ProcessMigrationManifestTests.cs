using Ssi.Orchestration.Manifests;
using Ssi.Testing;

namespace Ssi.Orchestration.Tests.Migration;

public sealed class ProcessMigrationManifestTests
{
    [Fact]
    public void The_local_sample_loads()
    {
        var migration = ProcessMigrationManifest.Load(Path.Combine(RepositoryPaths.Samples, "processmigration-local.yaml")).Single();

        Assert.Equal(("demo", 1000001L, "node2", "stop-copy"), (migration.Spec.Cluster, migration.Spec.ClusterPid, migration.Spec.TargetNode, migration.Spec.Mode));
    }

    [Fact]
    public void Every_invalid_field_is_reported_with_its_path()
    {
        var yaml = "apiVersion: ssi.io/v1alpha1\nkind: ProcessMigration\nmetadata:\n  name: m\nspec:\n  cluster: Demo_1\n  clusterPid: 0\n  targetNode: ''\n  mode: fast\n";

        var error = Assert.Throws<ManifestException>(() => ProcessMigrationManifest.Parse(yaml, "m.yaml"));

        Assert.Equal(["spec.cluster", "spec.clusterPid", "spec.targetNode", "spec.mode"], error.Errors.Select(e => e.Path));
    }

    [Fact]
    public void A_file_without_a_ProcessMigration_says_what_it_found()
    {
        var error = Assert.Throws<ManifestException>(() => ProcessMigrationManifest.Parse("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n", "x.yaml"));

        Assert.Contains("ConfigMap", error.Errors.Single().Message, StringComparison.Ordinal);
    }
}
