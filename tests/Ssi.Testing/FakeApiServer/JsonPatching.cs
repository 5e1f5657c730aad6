using System.Net;
using System.Text.Json.Nodes;

namespace Ssi.Testing.FakeApiServer;

/// <summary>RFC 7386 merge patch and RFC 6902 JSON patch on JSON nodes.</summary>
internal static class JsonPatching
{
    public static JsonNode? MergePatch(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject)
        {
            return patch?.DeepClone();
        }

        var result = target is JsonObject t ? (JsonObject)t.DeepClone() : new JsonObject();
        foreach (var (name, value) in patchObject)
        {
            if (value is null)
            {
                result.Remove(name);
            }
            else
            {
                var merged = MergePatch(result[name], value);
                result[name] = merged;
            }
        }

        return result;
    }

    public static JsonNode ApplyJsonPatch(JsonNode document, JsonArray operations)
    {
        var root = document.DeepClone();
        foreach (var op in operations)
        {
            var kind = op!["op"]!.GetValue<string>();
            var path = op["path"]!.GetValue<string>();
            switch (kind)
            {
                case "add":
                    root = Add(root, path, op["value"]?.DeepClone());
                    break;
                case "remove":
                    Remove(root, path);
                    break;
                case "replace":
                    Remove(root, path);
                    root = Add(root, path, op["value"]?.DeepClone());
                    break;
                case "move":
                    {
                        var from = op["from"]!.GetValue<string>();
                        var value = Get(root, from)?.DeepClone();
                        Remove(root, from);
                        root = Add(root, path, value);
                        break;
                    }

                case "copy":
                    root = Add(root, path, Get(root, op["from"]!.GetValue<string>())?.DeepClone());
                    break;
                case "test":
                    if (!JsonNode.DeepEquals(Get(root, path), op["value"]))
                    {
                        throw new FakeApiException(HttpStatusCode.UnprocessableEntity, "Invalid", $"the test of {path} failed");
                    }

                    break;
                default:
                    throw new FakeApiException(HttpStatusCode.BadRequest, "BadRequest", $"unknown JSON patch op {kind}");
            }
        }

        return root;
    }

    private static string[] Tokens(string pointer) =>
        pointer.Length == 0 ? [] : pointer[1..].Split('/').Select(t => t.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)).ToArray();

    private static JsonNode? Get(JsonNode root, string pointer)
    {
        JsonNode? node = root;
        foreach (var token in Tokens(pointer))
        {
            node = node switch
            {
                JsonObject o when o.ContainsKey(token) => o[token],
                JsonArray a when int.TryParse(token, out var i) && i >= 0 && i < a.Count => a[i],
                _ => throw new FakeApiException(HttpStatusCode.UnprocessableEntity, "Invalid", $"the path {pointer} does not exist"),
            };
        }

        return node;
    }

    private static (JsonNode Parent, string Last) Parent(JsonNode root, string pointer)
    {
        var tokens = Tokens(pointer);
        if (tokens.Length == 0)
        {
            throw new FakeApiException(HttpStatusCode.UnprocessableEntity, "Invalid", "the root cannot be patched");
        }

        var parent = tokens.Length == 1
            ? root
            : Get(root, "/" + string.Join('/', tokens[..^1].Select(t => t.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal))));

        return (parent ?? throw new FakeApiException(HttpStatusCode.UnprocessableEntity, "Invalid", $"the parent of {pointer} is null"), tokens[^1]);
    }

    private static JsonNode Add(JsonNode root, string pointer, JsonNode? value)
    {
        if (pointer.Length == 0)
        {
            return value ?? throw new FakeApiException(HttpStatusCode.UnprocessableEntity, "Invalid", "null document");
        }

        var (parent, last) = Parent(root, pointer);
        switch (parent)
        {
            case JsonObject o:
                o[last] = value;
                break;
            case JsonArray a when last == "-":
                a.Add(value);
                break;
            case JsonArray a when int.TryParse(last, out var i) && i >= 0 && i <= a.Count:
                a.Insert(i, value);
                break;
            default:
                throw new FakeApiException(HttpStatusCode.UnprocessableEntity, "Invalid", $"cannot add at {pointer}");
        }

        return root;
    }

    private static void Remove(JsonNode root, string pointer)
    {
        var (parent, last) = Parent(root, pointer);
        switch (parent)
        {
            case JsonObject o when o.ContainsKey(last):
                o.Remove(last);
                break;
            case JsonArray a when int.TryParse(last, out var i) && i >= 0 && i < a.Count:
                a.RemoveAt(i);
                break;
            default:
                throw new FakeApiException(HttpStatusCode.UnprocessableEntity, "Invalid", $"the path {pointer} does not exist");
        }
    }
}
