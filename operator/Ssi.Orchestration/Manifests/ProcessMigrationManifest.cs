using Ssi.Api.V1Alpha1;
using Ssi.Api.Validation;

namespace Ssi.Orchestration.Manifests;

/// <summary>Loads and validates ProcessMigration objects from YAML (every one in the file, in order).</summary>
public static class ProcessMigrationManifest
{
    public static IReadOnlyList<V1Alpha1ProcessMigration> Load(string path) => FromDocuments(ManifestReader.ReadFile(path));

    public static IReadOnlyList<V1Alpha1ProcessMigration> Parse(string yaml, string sourceName) => FromDocuments(ManifestReader.Read(yaml, sourceName));

    private static List<V1Alpha1ProcessMigration> FromDocuments(IReadOnlyList<ManifestDocument> documents)
    {
        var found = documents.Where(d => d.Kind == V1Alpha1ProcessMigration.KindName).ToList();
        if (found.Count == 0)
        {
            var kinds = string.Join(", ", documents.Select(d => d.Kind ?? "(no kind)"));
            throw new ManifestException([documents[0].Error("kind", $"no {V1Alpha1ProcessMigration.KindName} in the file (found: {kinds})")]);
        }

        var result = new List<V1Alpha1ProcessMigration>();
        foreach (var document in found)
        {
            var migration = ManifestBinder.Bind<V1Alpha1ProcessMigration>(document);
            var errors = ProcessMigrationValidator.Validate(migration);
            if (errors.Count > 0)
            {
                throw new ManifestException(errors.Select(e => document.Error(e.Path, e.Message)).ToList());
            }

            result.Add(migration);
        }

        return result;
    }
}
