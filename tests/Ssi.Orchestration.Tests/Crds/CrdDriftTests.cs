using System.Collections;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Ssi.Api.V1Alpha1;
using Ssi.Orchestration.Manifests;
using Ssi.Testing;

namespace Ssi.Orchestration.Tests.Crds;

/// <summary>The CRDs in crds/ and the C# types in Ssi.Api describe the same objects, and the schemas are structural.</summary>
public sealed class CrdDriftTests
{
    private static JsonObject Schema(string file)
    {
        var crd = ManifestReader.ReadFile(Path.Combine(RepositoryPaths.Root, "crds", file)).Single().Root;
        var version = crd["spec"]!["versions"]!.AsArray().Single()!;
        Assert.Equal(SsiApiGroup.Version, version["name"]!.GetValue<string>());
        Assert.Equal(SsiApiGroup.Group, crd["spec"]!["group"]!.GetValue<string>());
        return version["schema"]!["openAPIV3Schema"]!.AsObject();
    }

    [Fact]
    public void SsiCluster_spec_and_status_match_the_CSharp_types()
    {
        var schema = Schema("ssi.io_ssiclusters.yaml");
        var errors = new List<string>();

        Compare(typeof(SsiClusterSpec), schema["properties"]!["spec"]!.AsObject(), "spec", errors);
        Compare(typeof(SsiClusterStatus), schema["properties"]!["status"]!.AsObject(), "status", errors);

        Assert.Empty(errors);
    }

    [Fact]
    public void SsiCluster_schema_is_structural()
    {
        var errors = new List<string>();

        CheckStructural(Schema("ssi.io_ssiclusters.yaml"), "", errors);

        Assert.Empty(errors);
    }

    [Fact]
    public void ProcessMigration_spec_and_status_match_the_CSharp_types()
    {
        var schema = Schema("ssi.io_processmigrations.yaml");
        var errors = new List<string>();

        Compare(typeof(ProcessMigrationSpec), schema["properties"]!["spec"]!.AsObject(), "spec", errors);
        Compare(typeof(ProcessMigrationStatus), schema["properties"]!["status"]!.AsObject(), "status", errors);

        Assert.Empty(errors);
    }

    [Fact]
    public void ProcessMigration_schema_is_structural()
    {
        var errors = new List<string>();

        CheckStructural(Schema("ssi.io_processmigrations.yaml"), "", errors);

        Assert.Empty(errors);
    }

    [Fact]
    public void ProcessMigration_mode_enum_matches_the_CSharp_constants()
    {
        var mode = Schema("ssi.io_processmigrations.yaml")["properties"]!["spec"]!["properties"]!["mode"]!;

        Assert.Equal(
            [ProcessMigrationSpec.ModeStopCopy, ProcessMigrationSpec.ModeLazy, ProcessMigrationSpec.ModeAuto],
            mode["enum"]!.AsArray().Select(v => v!.GetValue<string>()));
    }

    [Theory]
    [InlineData("ssi.io_ssiclusters.yaml", "ssic")]
    [InlineData("ssi.io_processmigrations.yaml", "pm")]
    public void Every_CRD_has_a_short_name_and_the_ssi_category(string file, string shortName)
    {
        var crd = ManifestReader.ReadFile(Path.Combine(RepositoryPaths.Root, "crds", file)).Single().Root;
        var names = crd["spec"]!["names"]!;

        Assert.Contains(shortName, names["shortNames"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Contains("ssi", names["categories"]!.AsArray().Select(v => v!.GetValue<string>()));
    }

    [Fact]
    public void The_ProcessMigration_sample_binds_to_the_CSharp_type()
    {
        var document = ManifestReader.ReadFile(Path.Combine(RepositoryPaths.Root, "crds", "samples", "processmigration.yaml")).Single();
        var migration = document.Root.Deserialize<V1Alpha1ProcessMigration>()!;

        Assert.Equal(V1Alpha1ProcessMigration.KindName, migration.Kind);
        Assert.Equal("demo", migration.Spec.Cluster);
        Assert.Equal("node2", migration.Spec.TargetNode);
        Assert.True(migration.Spec.ClusterPid > 0);
    }

    private static void Compare(Type type, JsonObject schema, string path, List<string> errors)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        var kind = schema["type"]?.GetValue<string>();
        if (type == typeof(string) || type == typeof(DateTime) || type == typeof(DateTime?))
        {
            Expect("string", kind, path, errors);
        }
        else if (type == typeof(int) || type == typeof(long))
        {
            Expect("integer", kind, path, errors);
        }
        else if (type == typeof(bool))
        {
            Expect("boolean", kind, path, errors);
        }
        else if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>))
        {
            Expect("object", kind, path, errors);
            if (schema["additionalProperties"] is null)
            {
                errors.Add($"{path}: a map needs additionalProperties");
            }
        }
        else if (typeof(IEnumerable).IsAssignableFrom(type) && type.IsGenericType)
        {
            Expect("array", kind, path, errors);
            if (schema["items"] is JsonObject items)
            {
                Compare(type.GetGenericArguments()[0], items, path + "[]", errors);
            }
        }
        else
        {
            Expect("object", kind, path, errors);
            var properties = schema["properties"]?.AsObject() ?? [];
            var names = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Select(p => (Property: p, Name: p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? char.ToLowerInvariant(p.Name[0]) + p.Name[1..]))
                .ToList();
            foreach (var (property, name) in names)
            {
                if (properties[name] is JsonObject child)
                {
                    Compare(property.PropertyType, child, $"{path}.{name}", errors);
                }
                else
                {
                    errors.Add($"{path}.{name}: in {type.Name} but not in the CRD");
                }
            }

            foreach (var (name, _) in properties)
            {
                if (names.All(n => n.Name != name))
                {
                    errors.Add($"{path}.{name}: in the CRD but not in {type.Name}");
                }
            }
        }
    }

    private static void Expect(string expected, string? actual, string path, List<string> errors)
    {
        if (expected != actual)
        {
            errors.Add($"{path}: the C# type is {expected}, the CRD says {actual ?? "(no type)"}");
        }
    }

    /// <summary>Every node has a type; objects list properties or additionalProperties, not both; arrays have items.</summary>
    private static void CheckStructural(JsonObject node, string path, List<string> errors)
    {
        var type = node["type"]?.GetValue<string>();
        if (type is null && node["x-kubernetes-int-or-string"] is null && node["x-kubernetes-preserve-unknown-fields"] is null)
        {
            errors.Add($"{path}: no type");
        }

        if (node["properties"] is JsonObject properties)
        {
            if (node["additionalProperties"] is not null)
            {
                errors.Add($"{path}: properties and additionalProperties together");
            }

            foreach (var (name, child) in properties)
            {
                CheckStructural(child!.AsObject(), $"{path}.{name}", errors);
            }
        }

        if (type == "array")
        {
            if (node["items"] is JsonObject items)
            {
                CheckStructural(items, path + "[]", errors);
            }
            else
            {
                errors.Add($"{path}: an array without items");
            }
        }
    }
}
