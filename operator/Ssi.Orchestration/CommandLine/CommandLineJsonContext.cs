using System.Text.Json.Serialization;

namespace Ssi.Orchestration.CommandLine;

/// <summary>Serializer metadata, generated at compile time, of what the shared commands print as JSON.</summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ProcessListJson))]
internal sealed partial class CommandLineJsonContext : JsonSerializerContext;
