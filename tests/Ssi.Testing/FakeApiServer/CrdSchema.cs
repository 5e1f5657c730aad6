using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Ssi.Testing.FakeApiServer;

/// <summary>
/// What the API server does with a custom resource on every write, from its CRD's structural
/// schema: defaults, prunes unknown fields, validates types, required fields, enums, patterns,
/// lengths, ranges and list sizes (422 Invalid with every field error). CEL rules are not run.
/// </summary>
internal sealed class CrdSchema(JsonObject schema)
{
    public JsonObject Admit(JsonObject obj)
    {
        var errors = new List<string>();
        Walk(obj, schema, "", errors, root: true);
        if (errors.Count > 0)
        {
            throw new FakeApiException(HttpStatusCode.UnprocessableEntity, "Invalid", string.Join("; ", errors));
        }

        return obj;
    }

    private static void Walk(JsonNode? node, JsonObject schema, string path, List<string> errors, bool root = false)
    {
        if (node is null)
        {
            return;
        }

        if (schema["x-kubernetes-int-or-string"]?.GetValue<bool>() == true)
        {
            return;
        }

        var type = schema["type"]?.GetValue<string>();
        var actual = node switch
        {
            JsonObject => "object",
            JsonArray => "array",
            JsonValue v when v.TryGetValue<string>(out _) => "string",
            JsonValue v when v.TryGetValue<bool>(out _) => "boolean",
            JsonValue v when v.TryGetValue<int>(out _) || v.TryGetValue<long>(out _) => "integer",
            JsonValue v when v.TryGetValue<double>(out var d) => d == Math.Floor(d) ? "integer" : "number",
            JsonValue v when v.TryGetValue<decimal>(out var m) => m == Math.Floor(m) ? "integer" : "number",
            _ => "unknown",
        };
        if (type is not null && type != actual && !(type == "number" && actual == "integer"))
        {
            errors.Add($"{Name(path)}: Invalid value: \"{actual}\": {Name(path)} in body must be of type {type}");
            return;
        }

        if (schema["enum"] is JsonArray values && !values.Any(v => JsonNode.DeepEquals(v, node)))
        {
            errors.Add($"{Name(path)}: Unsupported value: {node.ToJsonString()}: supported values: {string.Join(", ", values.Select(v => v!.ToJsonString()))}");
        }

        switch (node)
        {
            case JsonObject o:
                WalkObject(o, schema, path, errors, root);
                break;
            case JsonArray a:
                if (schema["maxItems"] is { } maxItems && a.Count > Number(maxItems))
                {
                    errors.Add($"{Name(path)}: Too many: {a.Count}: must have at most {maxItems} items");
                }

                if (schema["minItems"] is { } minItems && a.Count < Number(minItems))
                {
                    errors.Add($"{Name(path)}: Too few: {a.Count}: must have at least {minItems} items");
                }

                if (schema["items"] is JsonObject items)
                {
                    for (var i = 0; i < a.Count; i++)
                    {
                        Walk(a[i], items, $"{path}[{i}]", errors);
                    }
                }

                break;
            case JsonValue v when actual == "string":
                {
                    var s = v.GetValue<string>();
                    if (schema["pattern"] is { } pattern && !Regex.IsMatch(s, pattern.GetValue<string>(), RegexOptions.None, TimeSpan.FromSeconds(1)))
                    {
                        errors.Add($"{Name(path)}: Invalid value: \"{s}\": {Name(path)} in body should match '{pattern}'");
                    }

                    if (schema["maxLength"] is { } max && s.Length > Number(max))
                    {
                        errors.Add($"{Name(path)}: Too long: may not be longer than {max}");
                    }

                    if (schema["minLength"] is { } min && s.Length < Number(min))
                    {
                        errors.Add($"{Name(path)}: Invalid value: \"{s}\": {Name(path)} in body should be at least {min} chars long");
                    }

                    break;
                }

            case JsonValue v when actual is "integer" or "number":
                {
                    var d = Number(v);
                    if (schema["minimum"] is { } minimum && d < Number(minimum))
                    {
                        errors.Add($"{Name(path)}: Invalid value: {d.ToString(CultureInfo.InvariantCulture)}: {Name(path)} in body should be greater than or equal to {minimum}");
                    }

                    if (schema["maximum"] is { } maximum && d > Number(maximum))
                    {
                        errors.Add($"{Name(path)}: Invalid value: {d.ToString(CultureInfo.InvariantCulture)}: {Name(path)} in body should be less than or equal to {maximum}");
                    }

                    break;
                }

            default:
                break;
        }
    }

    private static void WalkObject(JsonObject o, JsonObject schema, string path, List<string> errors, bool root)
    {
        if (schema["x-kubernetes-preserve-unknown-fields"]?.GetValue<bool>() == true && schema["properties"] is null)
        {
            return;
        }

        if (schema["properties"] is JsonObject properties)
        {
            foreach (var (name, propertySchema) in properties)
            {
                if (!o.ContainsKey(name) && propertySchema?["default"] is { } defaultValue)
                {
                    o[name] = defaultValue.DeepClone();
                }
            }

            foreach (var name in o.Select(p => p.Key).ToList())
            {
                if (properties[name] is JsonObject propertySchema)
                {
                    if (!(root && name == "metadata"))
                    {
                        Walk(o[name], propertySchema, path.Length == 0 ? name : $"{path}.{name}", errors);
                    }
                }
                else if (!(root && name is "apiVersion" or "kind" or "metadata") && schema["x-kubernetes-preserve-unknown-fields"]?.GetValue<bool>() != true)
                {
                    o.Remove(name); // pruned, as the API server does with unknown fields
                }
            }
        }
        else if (schema["additionalProperties"] is JsonObject additional)
        {
            foreach (var (name, value) in o.ToList())
            {
                Walk(value, additional, $"{path}.{name}", errors);
            }
        }

        foreach (var required in schema["required"] as JsonArray ?? [])
        {
            var name = required!.GetValue<string>();
            if (!o.ContainsKey(name))
            {
                errors.Add($"{Name(path.Length == 0 ? name : $"{path}.{name}")}: Required value");
            }
        }
    }

    /// <summary>A number whatever its backing (parsed JSON, YAML-made long, int, double).</summary>
    private static double Number(JsonNode node)
    {
        var v = node.AsValue();
        return v.TryGetValue<int>(out var i) ? i
            : v.TryGetValue<long>(out var l) ? l
            : v.TryGetValue<decimal>(out var m) ? (double)m
            : v.GetValue<double>();
    }

    private static string Name(string path) => path.Length == 0 ? "<root>" : path;
}
