using System.Text.Json.Serialization;
using Ssi.Api.V1Alpha1;

namespace Ssi.Orchestration.Manifests;

/// <summary>
/// Serializer metadata, generated at compile time, of the kinds a manifest can hold: binding
/// needs no reflection, so the NativeAOT `ssi` reads manifests as the operator does.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(V1Alpha1SsiCluster))]
[JsonSerializable(typeof(V1Alpha1ProcessMigration))]
internal sealed partial class ManifestJsonContext : JsonSerializerContext;
