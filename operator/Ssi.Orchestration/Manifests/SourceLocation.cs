namespace Ssi.Orchestration.Manifests;

/// <summary>Where a node of a manifest starts in its source text (1-based).</summary>
public readonly record struct SourceLocation(string Source, int Line, int Column)
{
    public override string ToString() => $"{Source}:{Line}:{Column}";
}
