using System.Net;
using System.Text.Json.Nodes;

namespace Ssi.Testing.FakeApiServer;

/// <summary>Equality-based label selectors: <c>a=b</c>, <c>a==b</c>, <c>a!=b</c>, <c>a</c>, <c>!a</c>.</summary>
internal static class LabelSelector
{
    public static Func<JsonObject?, bool> Parse(string? selector)
    {
        var terms = (selector ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Term).ToList();
        return labels => terms.All(t => t(labels));
    }

    private static Func<JsonObject?, bool> Term(string term)
    {
        if (term.Contains(" in ", StringComparison.Ordinal) || term.Contains(" notin ", StringComparison.Ordinal))
        {
            throw new FakeApiException(HttpStatusCode.BadRequest, "BadRequest", $"set-based selector {term} is not supported");
        }

        string? Value(JsonObject? labels, string key) => labels?[key]?.GetValue<string>();
        var notEqual = term.Split("!=", 2);
        if (notEqual.Length == 2)
        {
            return l => Value(l, notEqual[0]) != notEqual[1];
        }

        var equal = term.Replace("==", "=", StringComparison.Ordinal).Split('=', 2);
        if (equal.Length == 2)
        {
            return l => Value(l, equal[0]) == equal[1];
        }

        return term.StartsWith('!') ? l => Value(l, term[1..]) is null : l => Value(l, term) is not null;
    }
}
