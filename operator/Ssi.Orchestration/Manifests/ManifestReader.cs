using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Ssi.Orchestration.Manifests;

/// <summary>
/// Reads multi-document YAML into JSON objects with YAML 1.2 core-schema scalars (so that the
/// same text means the same thing here as in kubectl), remembering where every field stands.
/// </summary>
public static partial class ManifestReader
{
    [GeneratedRegex("^[-+]?[0-9]+$", RegexOptions.CultureInvariant)]
    private static partial Regex IntegerPattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex FloatPattern();

    public static IReadOnlyList<ManifestDocument> ReadFile(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ManifestException($"cannot read {path}: {e.Message}", e);
        }

        return Read(text, path);
    }

    public static IReadOnlyList<ManifestDocument> Read(string text, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(text);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            var at = new SourceLocation(sourceName, (int)e.Start.Line, (int)e.Start.Column);
            var message = e.InnerException is { } inner ? $"{e.Message} {inner.Message}" : e.Message;
            throw new ManifestException([new ManifestError("", $"not valid YAML: {message}", at)]);
        }

        var documents = new List<ManifestDocument>();
        foreach (var document in stream.Documents)
        {
            var start = Locate(sourceName, document.RootNode);
            if (document.RootNode is YamlScalarNode { Value: null or "" })
            {
                continue; // an empty document between two '---'
            }

            if (document.RootNode is not YamlMappingNode mapping)
            {
                throw new ManifestException([new ManifestError("", "a manifest document must be a mapping of fields", start)]);
            }

            var locations = new Dictionary<string, SourceLocation>(StringComparer.Ordinal);
            var errors = new List<ManifestError>();
            var root = (JsonObject)Convert(mapping, "", sourceName, locations, errors)!;
            if (errors.Count > 0)
            {
                throw new ManifestException(errors);
            }

            documents.Add(new ManifestDocument(root, locations, start));
        }

        if (documents.Count == 0)
        {
            throw new ManifestException([new ManifestError("", "contains no document", new SourceLocation(sourceName, 1, 1))]);
        }

        return documents;
    }

    private static SourceLocation Locate(string source, YamlNode node) =>
        new(source, (int)node.Start.Line, (int)node.Start.Column);

    private static JsonNode? Convert(
        YamlNode node, string path, string source, Dictionary<string, SourceLocation> locations, List<ManifestError> errors)
    {
        locations[path] = Locate(source, node);
        switch (node)
        {
            case YamlMappingNode mapping:
                var obj = new JsonObject();
                foreach (var (keyNode, valueNode) in mapping.Children)
                {
                    if (keyNode is not YamlScalarNode { Value: { } key })
                    {
                        errors.Add(new ManifestError(path, "field names must be plain strings", Locate(source, keyNode)));
                        continue;
                    }

                    var childPath = path.Length == 0 ? key : $"{path}.{key}";
                    if (obj.ContainsKey(key))
                    {
                        errors.Add(new ManifestError(childPath, "is given more than once", Locate(source, keyNode)));
                        continue;
                    }

                    obj[key] = Convert(valueNode, childPath, source, locations, errors);
                    locations[childPath] = Locate(source, keyNode);
                }

                return obj;
            case YamlSequenceNode sequence:
                var array = new JsonArray();
                var i = 0;
                foreach (var item in sequence.Children)
                {
                    array.Add(Convert(item, $"{path}[{i++}]", source, locations, errors));
                }

                return array;
            case YamlScalarNode scalar:
                return ConvertScalar(scalar);
            default:
                errors.Add(new ManifestError(path, $"unsupported YAML node {node.NodeType}", Locate(source, node)));
                return null;
        }
    }

    private static JsonNode? ConvertScalar(YamlScalarNode scalar)
    {
        var value = scalar.Value ?? "";
        var tag = scalar.Tag.IsEmpty ? "" : scalar.Tag.Value;
        if (scalar.Style != ScalarStyle.Plain || tag == "tag:yaml.org,2002:str")
        {
            return JsonValue.Create(value);
        }

        switch (value)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return null;
            case "true" or "True" or "TRUE":
                return JsonValue.Create(true);
            case "false" or "False" or "FALSE":
                return JsonValue.Create(false);
        }

        if (IntegerPattern().IsMatch(value) && long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            return JsonValue.Create(integer);
        }

        if (FloatPattern().IsMatch(value) && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var real))
        {
            return JsonValue.Create(real);
        }

        return JsonValue.Create(value);
    }
}
