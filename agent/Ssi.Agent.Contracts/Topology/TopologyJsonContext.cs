using System.Text.Json.Serialization;

namespace Ssi.Agent.Contracts.Topology;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ClusterTopology))]
internal sealed partial class TopologyJsonContext : JsonSerializerContext;
