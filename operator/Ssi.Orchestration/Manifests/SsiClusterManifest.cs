using Ssi.Api.V1Alpha1;
using Ssi.Api.Validation;

namespace Ssi.Orchestration.Manifests;

/// <summary>Loads and validates an SsiCluster from YAML.</summary>
public static class SsiClusterManifest
{
    /// <summary>Reads the first SsiCluster of a YAML file and validates it; every problem is reported with its field.</summary>
    public static V1Alpha1SsiCluster Load(string path, bool localMode) =>
        FromDocuments(ManifestReader.ReadFile(path), localMode);

    public static V1Alpha1SsiCluster Parse(string yaml, string sourceName, bool localMode) =>
        FromDocuments(ManifestReader.Read(yaml, sourceName), localMode);

    private static V1Alpha1SsiCluster FromDocuments(IReadOnlyList<ManifestDocument> documents, bool localMode)
    {
        var document = documents.FirstOrDefault(d => d.Kind == V1Alpha1SsiCluster.KindName);
        if (document is null)
        {
            var kinds = string.Join(", ", documents.Select(d => d.Kind ?? "(no kind)"));
            throw new ManifestException([documents[0].Error("kind", $"no {V1Alpha1SsiCluster.KindName} in the file (found: {kinds})")]);
        }

        var cluster = ManifestBinder.Bind<V1Alpha1SsiCluster>(document);
        var errors = SsiClusterValidator.Validate(cluster, localMode);
        if (errors.Count > 0)
        {
            throw new ManifestException(errors.Select(e => document.Error(e.Path, e.Message)).ToList());
        }

        return cluster;
    }
}
