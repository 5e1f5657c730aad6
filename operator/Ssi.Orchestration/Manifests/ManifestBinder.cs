using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace Ssi.Orchestration.Manifests;

/// <summary>
/// Binds a manifest document to a typed API object. Before binding it walks the JSON against the
/// type, so that an unknown field or a value of the wrong kind is reported with its full path and
/// source position instead of a serializer exception.
/// </summary>
public static class ManifestBinder
{
    /// <summary>Binds the document to <typeparamref name="T"/>, one of the kinds <see cref="ManifestJsonContext"/> knows.</summary>
    public static T Bind<T>(ManifestDocument document)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(document);
        var typeInfo = (JsonTypeInfo<T>)ManifestJsonContext.Default.GetTypeInfo(typeof(T))!;
        var errors = new List<ManifestError>();
        Check(document.Root, typeInfo, "", document, errors);
        if (errors.Count > 0)
        {
            throw new ManifestException(errors);
        }

        try
        {
            return document.Root.Deserialize(typeInfo)
                ?? throw new ManifestException([document.Error("", "is empty")]);
        }
        catch (JsonException e)
        {
            var path = (e.Path ?? "$").TrimStart('$').TrimStart('.');
            throw new ManifestException([document.Error(path, e.Message)]);
        }
    }

    /// <summary>Walks the JSON against the serializer's own metadata of the type (names, kinds, element types).</summary>
    private static void Check(JsonNode? node, JsonTypeInfo typeInfo, string path, ManifestDocument document, List<ManifestError> errors)
    {
        if (node is null)
        {
            return; // absent; required fields are the validator's business
        }

        var type = Nullable.GetUnderlyingType(typeInfo.Type) ?? typeInfo.Type;
        if (type == typeof(object) || type == typeof(JsonNode) || type == typeof(JsonElement))
        {
            return;
        }

        if (type == typeof(string))
        {
            Expect(node, JsonValueKind.String, "a string", path, document, errors);
        }
        else if (type == typeof(bool))
        {
            Expect(node, node.GetValueKind() == JsonValueKind.False ? JsonValueKind.False : JsonValueKind.True, "true or false", path, document, errors);
        }
        else if (type == typeof(int) || type == typeof(long) || type == typeof(uint) || type == typeof(ulong))
        {
            if (node is not JsonValue value || !(value.TryGetValue<long>(out _) || value.TryGetValue<int>(out _)))
            {
                errors.Add(document.Error(path, $"expected an integer, found {Describe(node)}"));
            }
        }
        else if (type == typeof(double) || type == typeof(float) || type == typeof(decimal))
        {
            Expect(node, JsonValueKind.Number, "a number", path, document, errors);
        }
        else if (type == typeof(DateTime) || type == typeof(DateTimeOffset))
        {
            Expect(node, JsonValueKind.String, "a timestamp such as 2026-01-02T03:04:05Z", path, document, errors);
        }
        else if (typeInfo.Kind == JsonTypeInfoKind.Dictionary && typeInfo.KeyType == typeof(string))
        {
            if (node is not JsonObject map)
            {
                errors.Add(document.Error(path, $"expected a mapping, found {Describe(node)}"));
                return;
            }

            var values = typeInfo.Options.GetTypeInfo(typeInfo.ElementType!);
            foreach (var (key, child) in map)
            {
                Check(child, values, $"{path}.{key}", document, errors);
            }
        }
        else if (typeInfo.Kind == JsonTypeInfoKind.Enumerable)
        {
            if (node is not JsonArray array)
            {
                errors.Add(document.Error(path, $"expected a list, found {Describe(node)}"));
                return;
            }

            var items = typeInfo.Options.GetTypeInfo(typeInfo.ElementType!);
            for (var i = 0; i < array.Count; i++)
            {
                Check(array[i], items, $"{path}[{i}]", document, errors);
            }
        }
        else if (typeInfo.Kind == JsonTypeInfoKind.Object && !type.IsValueType)
        {
            CheckObject(node, typeInfo, path, document, errors);
        }
    }

    private static void CheckObject(JsonNode node, JsonTypeInfo typeInfo, string path, ManifestDocument document, List<ManifestError> errors)
    {
        if (node is not JsonObject obj)
        {
            errors.Add(document.Error(path, $"expected a mapping of fields, found {Describe(node)}"));
            return;
        }

        var properties = typeInfo.Properties.ToDictionary(p => p.Name, StringComparer.Ordinal);
        foreach (var (key, child) in obj)
        {
            var childPath = path.Length == 0 ? key : $"{path}.{key}";
            if (!properties.TryGetValue(key, out var property))
            {
                var hint = Closest(key, properties.Keys) is { } near ? $"; did you mean \"{near}\"?" : "";
                errors.Add(document.Error(childPath, $"unknown field \"{key}\"{hint}"));
                continue;
            }

            Check(child, typeInfo.Options.GetTypeInfo(property.PropertyType), childPath, document, errors);
        }
    }

    private static void Expect(JsonNode node, JsonValueKind kind, string what, string path, ManifestDocument document, List<ManifestError> errors)
    {
        if (node.GetValueKind() != kind)
        {
            errors.Add(document.Error(path, $"expected {what}, found {Describe(node)}"));
        }
    }

    private static string Describe(JsonNode node) => node.GetValueKind() switch
    {
        JsonValueKind.Object => "a mapping",
        JsonValueKind.Array => "a list",
        JsonValueKind.String => $"the string \"{node.GetValue<string>()}\"",
        JsonValueKind.Number => $"the number {node.ToJsonString()}",
        JsonValueKind.True or JsonValueKind.False => $"the boolean {node.ToJsonString()}",
        _ => node.ToJsonString(),
    };

    private static string? Closest(string key, IEnumerable<string> candidates)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in candidates)
        {
            var distance = EditDistance(key.ToUpperInvariant(), candidate.ToUpperInvariant());
            if (distance < bestDistance)
            {
                (best, bestDistance) = (candidate, distance);
            }
        }

        return bestDistance <= Math.Max(2, key.Length / 3) ? best : null;
    }

    private static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
