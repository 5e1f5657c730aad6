using System.Text.Json.Serialization;
using Ssi.Api.V1Alpha1;

namespace Ssi.Cli.Commands;

/// <summary>
/// Serializer metadata, generated at compile time, of what `ssi` prints as JSON: the NativeAOT
/// build has no reflection-based serializer.
/// </summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(IReadOnlyList<StatusJson>))]
[JsonSerializable(typeof(DeviceListJson))]
[JsonSerializable(typeof(ProcessMigrationStatus))]
internal sealed partial class CliJsonContext : JsonSerializerContext;
