using System.Text.Json.Serialization;

namespace Ssi.Cli.Local;

/// <summary>Serializer metadata, generated at compile time, of the local cluster journal (state.json).</summary>
[JsonSourceGenerationOptions(
    WriteIndented = true,
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true)]
[JsonSerializable(typeof(LocalClusterState))]
internal sealed partial class LocalStateJsonContext : JsonSerializerContext;
