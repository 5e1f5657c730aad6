using System.Text.Json.Nodes;

namespace Ssi.Orchestration.Manifests;

/// <summary>One YAML document of a manifest file as JSON, with the source position of every field.</summary>
public sealed class ManifestDocument
{
    private readonly IReadOnlyDictionary<string, SourceLocation> _locations;

    internal ManifestDocument(JsonObject root, IReadOnlyDictionary<string, SourceLocation> locations, SourceLocation start)
    {
        Root = root;
        _locations = locations;
        Start = start;
    }

    public JsonObject Root { get; }

    /// <summary>Where the document starts.</summary>
    public SourceLocation Start { get; }

    public string? ApiVersion => Root["apiVersion"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    public string? Kind => Root["kind"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    /// <summary>The position of the field at <paramref name="path"/>, or of its nearest ancestor that exists.</summary>
    public SourceLocation LocationOf(string path)
    {
        while (true)
        {
            if (_locations.TryGetValue(path, out var location))
            {
                return location;
            }

            var cut = Math.Max(path.LastIndexOf('.'), path.LastIndexOf('['));
            if (cut <= 0)
            {
                return Start;
            }

            path = path[..cut];
        }
    }

    public ManifestError Error(string path, string message) => new(path, message, LocationOf(path));
}
