namespace Ssi.Controller.Runtime.Rbac;

/// <summary>One permission the operator needs: verbs on a resource of an API group ("" for core).</summary>
public sealed record PolicyRequirement(string Group, string Resource, IReadOnlyList<string> Verbs)
{
    /// <summary>What the runtime itself uses: the leader lease and events.</summary>
    public static IReadOnlyList<PolicyRequirement> Runtime { get; } =
    [
        new("coordination.k8s.io", "leases", ["get", "create", "update"]),
        new("", "events", ["create"]),
    ];

    /// <summary>What an informer of a kind uses.</summary>
    public static PolicyRequirement Informer(string group, string resource) => new(group, resource, ["list", "watch"]);

    /// <summary>Merges requirements: one entry per (group, resource), verbs sorted and unique.</summary>
    public static IReadOnlyList<PolicyRequirement> Merge(IEnumerable<PolicyRequirement> requirements) =>
        requirements.GroupBy(r => (r.Group, r.Resource))
            .Select(g => new PolicyRequirement(g.Key.Group, g.Key.Resource, g.SelectMany(r => r.Verbs).Distinct().Order(StringComparer.Ordinal).ToList()))
            .OrderBy(r => r.Group, StringComparer.Ordinal).ThenBy(r => r.Resource, StringComparer.Ordinal)
            .ToList();
}
